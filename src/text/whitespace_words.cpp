#include "corag/text/whitespace_words.hpp"

#include <algorithm>
#include <cctype>

namespace corag {

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const auto begin = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > begin) words.emplace_back(text.substr(begin, i - begin));
  }
  return words;
}

std::string random_word_window(const std::vector<std::string>& words, std::size_t length, Rng& rng) {
  length = std::min(length, words.size());
  const auto start = static_cast<std::size_t>(rng.uniform(words.size() - length + 1));
  std::string out;
  for (std::size_t i = start; i < start + length; ++i) out += (i > start ? " " : "") + words[i];
  return out;
}

}  // namespace corag
