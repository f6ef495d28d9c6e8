#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace corag {

/// Options of BERT's basic tokenizer, as in `tokenizer_config.json`.
struct BasicTokenizerOptions {
  bool lower_case = true;     ///< `do_lower_case`
  bool strip_accents = true;  ///< `strip_accents` (HF: null means "same as do_lower_case")
  bool split_cjk = true;      ///< `tokenize_chinese_chars`
};

/// BERT's basic tokenizer (HF `BasicTokenizer`) on UTF-8 text: drops NUL, U+FFFD and control
/// characters, maps Unicode spaces to ' ', puts spaces around CJK ideographs, NFC-normalises,
/// splits on whitespace, lower-cases and strips accents (NFD, drop Mn) when asked, then splits
/// punctuation (ASCII symbol ranges and every Unicode P* category) into tokens of its own.
/// Invalid UTF-8 bytes count as U+FFFD and are dropped.
class BasicTokenizer {
 public:
  explicit BasicTokenizer(BasicTokenizerOptions options = {}) : options_(options) {}

  std::vector<std::string> tokenize(std::string_view text) const;

 private:
  BasicTokenizerOptions options_;
};

/// Python's str.isspace(): the separators of str.split(), which BERT's and SQuAD's code use.
bool is_unicode_space(char32_t c);

/// Decodes UTF-8 into code points; invalid sequences become U+FFFD.
std::u32string decode_utf8(std::string_view text);
std::string encode_utf8(std::u32string_view text);

}  // namespace corag
