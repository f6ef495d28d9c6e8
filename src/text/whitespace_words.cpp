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

WordSpan random_word_span(std::size_t total, std::size_t length, Rng& rng) {
  length = std::min(length, total);
  return {static_cast<std::size_t>(rng.uniform(total - length + 1)), length};
}

WordSpan random_covering_span(std::size_t total, WordSpan inner, std::size_t length, Rng& rng) {
  length = std::min(std::max(length, inner.length), total);
  const auto inner_end = inner.start + inner.length;
  const auto first = inner_end > length ? inner_end - length : 0;
  const auto last = std::min(inner.start, total - length);
  return {first + static_cast<std::size_t>(rng.uniform(last - first + 1)), length};
}

std::string join_words(const std::vector<std::string>& words, WordSpan span) {
  std::string out;
  for (auto i = span.start; i < span.start + span.length; ++i) out += (i > span.start ? " " : "") + words[i];
  return out;
}

std::string random_word_window(const std::vector<std::string>& words, std::size_t length, Rng& rng) {
  return join_words(words, random_word_span(words.size(), length, rng));
}

}  // namespace corag
