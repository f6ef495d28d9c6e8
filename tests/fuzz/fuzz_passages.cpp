// Passage corpora: JSONL ({"id", "title", "text"}) or DPR TSV (first input byte 't'), built into
// a passage table and read back row by row.
#include "corag/store/passage_table.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool tsv = data[0] == 't';
  const auto corpus = corag::fuzz::input_file(tsv ? "corpus.tsv" : "corpus.jsonl", data + 1, size - 1);
  const auto table_dir = corag::fuzz::scratch() / "table";
  std::filesystem::remove_all(table_dir);
  corag::fuzz::refusal_is_fine([&] {
    corag::PassageTable::build(corpus, table_dir);
    const corag::PassageTable table(table_dir);
    for (std::size_t row = 0; row < table.size(); ++row) {
      const auto passage = table.at(row);
      if (table.find(passage.id) != row) std::abort();  // ids are unique: each finds its own row
    }
  });
  return 0;
}
