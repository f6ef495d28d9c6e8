#include "corag/store/text_analyzer.hpp"

#include <libstemmer.h>
#include <utf8proc.h>

#include <algorithm>
#include <array>

#include "corag/text/basic_tokenizer.hpp"
#include "corag/util/error.hpp"

namespace corag {
namespace {

// Lucene's EnglishAnalyzer.ENGLISH_STOP_WORDS_SET, sorted for binary search.
constexpr std::array<std::string_view, 33> kStopWords = {
    "a",   "an",    "and",  "are",   "as",    "at",   "be",   "but", "by",  "for",  "if",
    "in",  "into",  "is",   "it",    "no",    "not",  "of",   "on",  "or",  "such", "that",
    "the", "their", "then", "there", "these", "they", "this", "to",  "was", "will", "with"};

bool is_word_character(char32_t c) {
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return (category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO) ||
         (category >= UTF8PROC_CATEGORY_MN && category <= UTF8PROC_CATEGORY_ME) ||
         (category >= UTF8PROC_CATEGORY_ND && category <= UTF8PROC_CATEGORY_NO);
}

}  // namespace

TextAnalyzer::TextAnalyzer(AnalyzerOptions options) : options_(options) {
  if (options_.stem) {
    stemmer_ = sb_stemmer_new("english", "UTF_8");
    CORAG_CHECK(stemmer_ != nullptr, "libstemmer has no English stemmer");
  }
}

TextAnalyzer::~TextAnalyzer() {
  if (stemmer_ != nullptr) sb_stemmer_delete(stemmer_);
}

std::vector<std::string> TextAnalyzer::terms(std::string_view text) {
  std::vector<std::string> terms;
  const std::u32string decoded = decode_utf8(text);
  std::u32string word;
  const auto emit = [&] {
    if (word.empty()) return;
    std::string term = encode_utf8(word);
    word.clear();
    if (options_.stopwords && std::binary_search(kStopWords.begin(), kStopWords.end(), term)) return;
    if (stemmer_ != nullptr) {
      const auto* stemmed =
          sb_stemmer_stem(stemmer_, reinterpret_cast<const sb_symbol*>(term.data()), static_cast<int>(term.size()));
      CORAG_CHECK(stemmed != nullptr, "the Snowball stemmer ran out of memory");
      term.assign(reinterpret_cast<const char*>(stemmed), static_cast<std::size_t>(sb_stemmer_length(stemmer_)));
    }
    terms.push_back(std::move(term));
  };
  for (char32_t c : decoded) {
    if (!is_word_character(c)) {
      emit();
      continue;
    }
    word.push_back(options_.lowercase ? static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(c))) : c);
  }
  emit();
  return terms;
}

}  // namespace corag
