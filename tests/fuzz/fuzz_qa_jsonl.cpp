// QA JSONL (training, evaluation and generation inputs) and reader input lines with passages.
#include "corag/models/reader_record.hpp"
#include "corag/util/qa_reader.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = corag::fuzz::input_file("qa.jsonl", data, size);
  for (const auto policy : {corag::AnswersPolicy::required, corag::AnswersPolicy::optional}) {
    corag::fuzz::refusal_is_fine([&] { corag::read_qa_file(path, policy); });
    corag::fuzz::refusal_is_fine([&] {
      corag::ReaderRecordReader reader(path, policy);
      while (!reader.next_batch(8).empty()) {
      }
    });
  }
  return 0;
}
