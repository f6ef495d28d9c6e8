#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct sb_stemmer;

namespace corag {

struct AnalyzerOptions {
  bool lowercase = true;
  bool stopwords = true;  ///< Lucene's English stop words (the 33 of EnglishAnalyzer)
  bool stem = true;       ///< Snowball English (libstemmer)
};

/// The BM25 analyzer: splits UTF-8 text into maximal runs of letters, digits and combining
/// marks (every other character separates), lower-cases, drops stop words, stems. One instance
/// per thread: the Snowball stemmer keeps state.
class TextAnalyzer {
 public:
  explicit TextAnalyzer(AnalyzerOptions options = {});
  ~TextAnalyzer();
  TextAnalyzer(const TextAnalyzer&) = delete;
  TextAnalyzer& operator=(const TextAnalyzer&) = delete;

  std::vector<std::string> terms(std::string_view text);
  const AnalyzerOptions& options() const { return options_; }

 private:
  AnalyzerOptions options_;
  sb_stemmer* stemmer_ = nullptr;
};

}  // namespace corag
