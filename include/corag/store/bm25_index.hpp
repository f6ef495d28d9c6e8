#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "corag/store/passage_table.hpp"
#include "corag/store/scored_row.hpp"
#include "corag/store/text_analyzer.hpp"
#include "corag/util/mapped_file.hpp"

namespace corag {

struct Bm25Options {
  double k1 = 0.9;  ///< Pyserini's default
  double b = 0.4;   ///< Pyserini's default
  AnalyzerOptions analyzer;
};

/// An inverted index over a passage table (title + " " + text of every row) scored with BM25:
/// idf = ln(1 + (N - df + 0.5) / (df + 0.5)), term score idf * tf * (k1 + 1) /
/// (tf + k1 * (1 - b + b * dl / avgdl)), a query term counted once per occurrence. Files in its
/// directory: `bm25.json` (N, avgdl, k1, b, analyzer), `bm25.terms` (sorted terms with their
/// postings offset and df), `bm25.postings` (u32 row, u32 tf pairs, rows ascending per term),
/// `bm25.doclens` (u32 per row).
class Bm25Index {
 public:
  /// Builds with `threads` workers (0: one per core; contiguous row ranges, merged in row order),
  /// files written atomically.
  static void build(const PassageTable& table, const std::filesystem::path& dir, const Bm25Options& options,
                    int threads);

  explicit Bm25Index(const std::filesystem::path& dir);
  ~Bm25Index();

  /// Exact top-k of each query, ties broken by lower row; queries run on `threads` workers (0: one
  /// per core).
  std::vector<std::vector<ScoredRow>> search(const std::vector<std::string>& queries, std::size_t k, int threads) const;

  std::size_t size() const { return count_; }
  double average_length() const { return average_length_; }
  const Bm25Options& options() const { return options_; }
  /// Document frequency of an analysed term (0 when absent).
  std::uint32_t document_frequency(const std::string& term) const;

 private:
  struct TermEntry {
    std::uint64_t offset;  ///< first posting
    std::uint32_t df;
  };
  class Searcher;

  std::filesystem::path dir_;
  Bm25Options options_;
  std::size_t count_ = 0;
  double average_length_ = 0;
  std::unordered_map<std::string, TermEntry> terms_;
  std::unique_ptr<MappedFile> postings_;
  std::vector<float> length_norm_;  ///< k1 * (1 - b + b * dl / avgdl) per row
};

}  // namespace corag
