// BM25 index files: the first input byte picks which of bm25.json, bm25.terms, bm25.postings and
// bm25.doclens of a small valid index the rest of the input replaces; the index is then opened
// and searched (every hit must be a row of the table), and the file restored.
#include "corag/store/bm25_index.hpp"
#include "corag/store/passage_table.hpp"
#include "fuzz_support.hpp"

namespace {

const std::filesystem::path& index_dir() {
  static const std::filesystem::path dir = [] {
    const auto corpus = corag::fuzz::scratch() / "corpus.jsonl";
    std::ofstream out(corpus);
    const char* texts[] = {
        "Paris is the capital of France", "Lyon is a city in France",  "Berlin capital city", "capital, CAPITAL",
        "rivers and cities of Europe",    "the Rhine flows to the sea"};
    for (int i = 0; i < 6; ++i)
      out << "{\"id\": \"p" << i << "\", \"title\": \"T\", \"text\": \"" << texts[i] << "\"}\n";
    out.close();
    const auto built = corag::fuzz::scratch() / "bm25";
    corag::PassageTable::build(corpus, built);
    corag::Bm25Index::build(corag::PassageTable(built), built, {}, 1);
    return built;
  }();
  return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& dir = index_dir();
  static const corag::PassageTable table(dir);  // not fuzzed: opened once
  static const corag::fuzz::FixtureFiles files({{"bm25.json", dir / "bm25.json"},
                                                {"bm25.terms", dir / "bm25.terms"},
                                                {"bm25.postings", dir / "bm25.postings"},
                                                {"bm25.doclens", dir / "bm25.doclens"}});
  files.fuzz_one(data, size, [&](std::size_t) {
    const corag::Bm25Index index(dir);
    for (const auto& hits : index.search({"capital of France", "city rivers sea", "paris paris berlin"}, 4, 1)) {
      for (const auto& hit : hits) {
        if (hit.row >= table.size()) std::abort();
      }
    }
  });
  return 0;
}
