// The T5 (SentencePiece) tokenizer with T5's own spiece.model: the input encoded as text, and
// read as 16-bit token ids (any value, past the vocabulary too) decoded back.
#include <vector>

#include "corag/text/t5_tokenizer.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const corag::T5Tokenizer tokenizer(std::filesystem::path(CORAG_FUZZ_DATA_DIR) / "hf/t5/spiece.model");
  corag::fuzz::refusal_is_fine([&] {
    const auto ids = tokenizer.encode(std::string_view(reinterpret_cast<const char*>(data), size), 512);
    tokenizer.decode(ids);
  });
  std::vector<std::int64_t> ids;
  for (std::size_t i = 0; i + 1 < size; i += 2) ids.push_back(data[i] | (data[i + 1] << 8));
  corag::fuzz::refusal_is_fine([&] {
    tokenizer.decode(ids);
    tokenizer.decode(ids, false);
    tokenizer.decode_answer(ids);
  });
  return 0;
}
