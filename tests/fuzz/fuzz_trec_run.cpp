// TREC runs (`qid Q0 docid rank score tag`) over a table of passages p0 .. p9.
#include "corag/store/passage_table.hpp"
#include "corag/store/trec_run.hpp"
#include "fuzz_support.hpp"

namespace {

const corag::PassageTable& table() {
  static const corag::PassageTable built = [] {
    const auto corpus = corag::fuzz::scratch() / "corpus.jsonl";
    std::ofstream out(corpus);
    for (int i = 0; i < 10; ++i) {
      out << "{\"id\": \"p" << i << "\", \"title\": \"T" << i << "\", \"text\": \"passage number " << i << "\"}\n";
    }
    out.close();
    corag::PassageTable::build(corpus, corag::fuzz::scratch() / "table");
    return corag::PassageTable(corag::fuzz::scratch() / "table");
  }();
  return built;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& passages = table();
  const auto path = corag::fuzz::input_file("run.trec", data, size);
  corag::fuzz::refusal_is_fine([&] {
    for (const auto& [query, hits] : corag::read_trec_run(path, passages)) {
      for (const auto& hit : hits) {
        if (hit.row >= passages.size()) std::abort();
      }
    }
  });
  return 0;
}
