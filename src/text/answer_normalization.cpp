#include "corag/text/answer_normalization.hpp"

#include <utf8proc.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "corag/text/basic_tokenizer.hpp"

namespace corag {
namespace {

bool is_ascii_punctuation(char32_t c) {
  return c < 128 && std::strchr("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", static_cast<int>(c)) != nullptr && c != 0;
}

}  // namespace

std::string normalize_answer(std::string_view text) {
  std::vector<std::u32string> words;
  std::u32string word;
  const auto flush = [&] {
    if (!word.empty() && word != U"a" && word != U"an" && word != U"the") words.push_back(word);
    word.clear();
  };
  for (char32_t c : decode_utf8(text)) {
    if (is_ascii_punctuation(c)) continue;
    if (is_unicode_space(c)) {
      flush();
      continue;
    }
    word.push_back(static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))));
  }
  flush();
  std::u32string joined;
  for (const auto& w : words) {
    if (!joined.empty()) joined.push_back(U' ');
    joined += w;
  }
  return encode_utf8(joined);
}

bool contains_answer(std::string_view text, std::string_view answer) {
  return contains_any_answer(text, std::vector<std::string>{std::string(answer)});
}

bool contains_any_answer(std::string_view text, const std::vector<std::string>& answers) {
  const std::string haystack = " " + normalize_answer(text) + " ";
  return std::any_of(answers.begin(), answers.end(), [&](const std::string& answer) {
    const std::string needle = normalize_answer(answer);
    return !needle.empty() && haystack.find(" " + needle + " ") != std::string::npos;
  });
}

}  // namespace corag
