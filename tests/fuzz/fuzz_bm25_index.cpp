// BM25 index files: the first input byte picks which of bm25.json, bm25.terms, bm25.postings and
// bm25.doclens of a small valid index the rest of the input replaces; the index is then opened
// and searched (every hit must be a row of the table), and the file restored.
#include <vector>

#include "corag/store/bm25_index.hpp"
#include "corag/store/passage_table.hpp"
#include "fuzz_support.hpp"

namespace {

const char* const kFiles[] = {"bm25.json", "bm25.terms", "bm25.postings", "bm25.doclens"};

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

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& dir = index_dir();
  const auto file = dir / kFiles[data[0] % 4];
  static const auto originals = [&] {
    std::vector<std::string> files;
    for (std::uint8_t i = 0; i < 4; ++i) {
      files.push_back(read_all(dir / kFiles[i]));
      corag::fuzz::write_seed(kFiles[i], i, files.back());
    }
    return files;
  }();
  const auto& original = originals[data[0] % 4];
  corag::fuzz::write_bytes(file, data + 1, size - 1);
  corag::fuzz::refusal_is_fine([&] {
    const corag::Bm25Index index(dir);
    const corag::PassageTable table(dir);
    for (const auto& hits : index.search({"capital of France", "city rivers sea", "paris paris berlin"}, 4, 1)) {
      for (const auto& hit : hits) {
        if (hit.row >= table.size()) std::abort();
      }
    }
  });
  corag::fuzz::write_bytes(file, reinterpret_cast<const std::uint8_t*>(original.data()), original.size());
  return 0;
}
