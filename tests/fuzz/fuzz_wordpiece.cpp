// The WordPiece (BERT) tokenizer: input byte 'v' makes the rest a vocab.txt (then a fixed text
// is encoded), anything else makes the input the text encoded with BERT's test vocabulary.
#include "corag/text/wordpiece_tokenizer.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  if (data[0] == 'v') {
    const auto vocab = corag::fuzz::input_file("vocab.txt", data + 1, size - 1);
    corag::fuzz::refusal_is_fine([&] {
      const auto tokenizer = corag::WordPieceTokenizer::from_vocab_file(vocab, {});
      tokenizer.encode("Who wrote the Book of the City? Paris, 1999: naïve café", 64);
    });
    return 0;
  }
  static const auto tokenizer =
      corag::WordPieceTokenizer::from_vocab_file(std::filesystem::path(CORAG_FUZZ_DATA_DIR) / "hf/bert/vocab.txt", {});
  corag::fuzz::refusal_is_fine(
      [&] { tokenizer.encode(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1), 512); });
  return 0;
}
