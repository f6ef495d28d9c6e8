#include "corag/store/bm25_index.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>

#include <nlohmann/json.hpp>

#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/json_object_reader.hpp"
#include "corag/util/json_strict.hpp"
#include "corag/util/parallel_workers.hpp"
#include "corag/util/progress_bar.hpp"

namespace corag {
namespace {

constexpr const char* kMetaName = "bm25.json";
constexpr const char* kTermsName = "bm25.terms";
constexpr const char* kPostingsName = "bm25.postings";
constexpr const char* kLengthsName = "bm25.doclens";

struct Posting {
  std::uint32_t row;
  std::uint32_t tf;
};

/// Postings of the rows one build worker analysed.
struct PartialIndex {
  std::unordered_map<std::string, std::uint32_t> term_ids;
  std::vector<std::string> terms;
  std::vector<std::vector<Posting>> postings;
};

void index_rows(const PassageTable& table, std::size_t begin, std::size_t end, const AnalyzerOptions& analyzer_options,
                PartialIndex& partial, std::vector<std::uint32_t>& lengths,
                const std::function<void(std::size_t)>& advance) {
  TextAnalyzer analyzer(analyzer_options);
  std::map<std::uint32_t, std::uint32_t> counts;
  for (std::size_t row = begin; row < end; ++row) {
    const auto passage = table.at(row);
    std::string text(passage.title);
    text += ' ';
    text += passage.text;
    const auto terms = analyzer.terms(text);
    lengths[row] = static_cast<std::uint32_t>(terms.size());
    counts.clear();
    for (const auto& term : terms) {
      auto [it, added] = partial.term_ids.emplace(term, static_cast<std::uint32_t>(partial.terms.size()));
      if (added) {
        partial.terms.push_back(term);
        partial.postings.emplace_back();
      }
      ++counts[it->second];
    }
    for (const auto& [term_id, tf] : counts) partial.postings[term_id].push_back({static_cast<std::uint32_t>(row), tf});
    if ((row - begin) % 1024 == 1023) advance(1024);
  }
  advance((end - begin) % 1024);
}

template <typename T>
void write_raw(std::ostream& out, const T& value) {
  out.write(reinterpret_cast<const char*>(&value), sizeof(T));
}

}  // namespace

void Bm25Index::build(const PassageTable& table, const std::filesystem::path& dir, const Bm25Options& options,
                      int threads) {
  CORAG_CHECK(table.size() < (1ULL << 32), "BM25 rows are 32-bit: ", table.size(), " passages are too many");
  std::filesystem::create_directories(dir);
  const auto workers =
      std::min<std::size_t>(static_cast<std::size_t>(resolve_thread_count(threads)), table.size() / 1024 + 1);
  std::vector<PartialIndex> partials(workers);
  std::vector<std::uint32_t> lengths(table.size());
  {
    ProgressBar progress("bm25 index", table.size(), "passages");
    std::mutex progress_mutex;  // the bar itself is single-threaded
    const auto advance = [&](std::size_t count) {
      const std::lock_guard<std::mutex> lock(progress_mutex);
      progress.advance(count);
    };
    run_workers(workers, [&](std::size_t w) {
      index_rows(table, table.size() * w / workers, table.size() * (w + 1) / workers, options.analyzer, partials[w],
                 lengths, advance);
    });
    progress.finish();
  }

  std::vector<std::string> vocabulary;
  for (const auto& partial : partials) vocabulary.insert(vocabulary.end(), partial.terms.begin(), partial.terms.end());
  std::sort(vocabulary.begin(), vocabulary.end());
  vocabulary.erase(std::unique(vocabulary.begin(), vocabulary.end()), vocabulary.end());

  AtomicFileWriter postings(dir / kPostingsName);
  AtomicFileWriter terms(dir / kTermsName);
  write_raw(terms.stream(), static_cast<std::uint64_t>(vocabulary.size()));
  std::uint64_t offset = 0;
  for (const auto& term : vocabulary) {
    std::uint32_t df = 0;
    for (const auto& partial : partials) {  // workers hold ascending row ranges, so rows stay sorted
      const auto found = partial.term_ids.find(term);
      if (found == partial.term_ids.end()) continue;
      const auto& list = partial.postings[found->second];
      postings.write(list.data(), list.size() * sizeof(Posting));
      df += static_cast<std::uint32_t>(list.size());
    }
    write_raw(terms.stream(), static_cast<std::uint32_t>(term.size()));
    terms.stream().write(term.data(), static_cast<std::streamsize>(term.size()));
    write_raw(terms.stream(), offset);
    write_raw(terms.stream(), df);
    offset += df;
  }
  postings.commit();
  terms.commit();
  write_file_atomically(dir / kLengthsName,
                        std::string_view(reinterpret_cast<const char*>(lengths.data()), lengths.size() * 4));
  double total = 0;
  for (const auto length : lengths) total += length;
  const nlohmann::json meta = {{"format", "corag-bm25-1"},
                               {"passages", table.size()},
                               {"terms", vocabulary.size()},
                               {"postings", offset},
                               {"average_length", table.size() ? total / static_cast<double>(table.size()) : 0.0},
                               {"k1", options.k1},
                               {"b", options.b},
                               {"lowercase", options.analyzer.lowercase},
                               {"stopwords", options.analyzer.stopwords},
                               {"stem", options.analyzer.stem}};
  write_file_atomically(dir / kMetaName, meta.dump(2) + "\n");
}

Bm25Index::Bm25Index(const std::filesystem::path& dir) : dir_(dir) {
  // Every offset, count and row read from disk is checked here, once, so that search can index
  // without checks: a damaged or crafted index is an error naming its file, never a stray read.
  const auto meta_file = dir / kMetaName;
  CORAG_CHECK(std::filesystem::is_regular_file(meta_file), meta_file.string(),
              ": missing (build the index with `corag bm25 build`)");
  const auto meta = read_json_file(meta_file);
  const JsonObjectReader fields(meta, meta_file.string());
  CORAG_CHECK(fields.text("format") == "corag-bm25-1", meta_file.string(), ": unknown format '", fields.text("format"),
              "'");
  count_ = fields.unsigned_integer("passages");
  const std::uint64_t total_postings = fields.unsigned_integer("postings");
  average_length_ = fields.number("average_length");
  options_.k1 = fields.number("k1");
  options_.b = fields.number("b");
  options_.analyzer = {fields.flag("lowercase"), fields.flag("stopwords"), fields.flag("stem")};
  CORAG_CHECK(count_ <= std::numeric_limits<std::uint32_t>::max(), meta_file.string(), ": ", count_,
              " passages, more than a u32 row can name");
  CORAG_CHECK(std::isfinite(average_length_) && average_length_ >= 0 && std::isfinite(options_.k1) &&
                  options_.k1 >= 0 && std::isfinite(options_.b) && options_.b >= 0 && options_.b <= 1,
              meta_file.string(), ": average_length, k1 or b out of range");

  const auto postings_file = (dir / kPostingsName).string();
  postings_ = std::make_unique<MappedFile>(dir / kPostingsName);
  CORAG_CHECK(
      total_postings <= postings_->size() / sizeof(Posting) && postings_->size() == total_postings * sizeof(Posting),
      postings_file, ": ", postings_->size(), " bytes, but bm25.json lists ", total_postings, " postings");

  const MappedFile terms(dir / kTermsName);
  const auto terms_file = (dir / kTermsName).string();
  std::size_t at = 0;
  const auto read = [&](void* out, std::size_t size) {
    CORAG_CHECK(size <= terms.size() - at, terms_file, ": truncated at byte ", at);
    std::memcpy(out, terms.data() + at, size);
    at += size;
  };
  std::uint64_t term_count = 0;
  read(&term_count, 8);
  constexpr std::uint64_t kTermEntryMinBytes = 4 + 8 + 4;
  CORAG_CHECK(term_count <= (terms.size() - at) / kTermEntryMinBytes, terms_file, ": lists ", term_count, " terms in ",
              terms.size(), " bytes");
  terms_.reserve(static_cast<std::size_t>(term_count));
  const auto* postings = reinterpret_cast<const Posting*>(postings_->data());
  // Terms per row as the postings count them: a passage's length must be their sum, so that a
  // damaged tf or length (any value is in range) is caught too, not just a damaged structure.
  std::vector<std::uint32_t> row_terms(count_, 0);
  for (std::uint64_t i = 0; i < term_count; ++i) {
    std::uint32_t length = 0;
    read(&length, 4);
    CORAG_CHECK(length <= terms.size() - at, terms_file, ": truncated at byte ", at);
    std::string term(reinterpret_cast<const char*>(terms.data()) + at, length);
    at += length;
    TermEntry entry{};
    read(&entry.offset, 8);
    read(&entry.df, 4);
    CORAG_CHECK(entry.offset <= total_postings && entry.df <= total_postings - entry.offset && entry.df > 0 &&
                    entry.df <= count_,
                terms_file, ": term '", term, "' points outside the postings");
    // Rows strictly ascending and inside the table: a row past the passage count would be a
    // write past the per-row scores, a repeated one a term counted twice.
    const auto* begin = postings + entry.offset;
    for (std::uint32_t p = 0; p < entry.df; ++p) {
      CORAG_CHECK(begin[p].row < count_ && begin[p].tf > 0 && (p == 0 || begin[p].row > begin[p - 1].row),
                  postings_file, ": posting ", entry.offset + p, " of term '", term, "' (row ", begin[p].row, ", tf ",
                  begin[p].tf, ") is outside the ", count_, " passages, out of order or empty");
      CORAG_CHECK(begin[p].tf <= std::numeric_limits<std::uint32_t>::max() - row_terms[begin[p].row], postings_file,
                  ": the term counts of row ", begin[p].row, " overflow 32 bits");
      row_terms[begin[p].row] += begin[p].tf;
    }
    // try_emplace leaves the key unmoved when it is already present, so the message can name it.
    const bool inserted = terms_.try_emplace(std::move(term), entry).second;
    CORAG_CHECK(inserted, terms_file, ": term '", term, "' listed twice");
  }
  CORAG_CHECK(at == terms.size(), terms_file, ": ", terms.size() - at, " trailing bytes");

  const MappedFile lengths(dir / kLengthsName);
  CORAG_CHECK(lengths.size() / 4 == count_ && lengths.size() % 4 == 0, (dir / kLengthsName).string(), ": ",
              lengths.size(), " bytes, expected ", 4 * count_);
  length_norm_.resize(count_);
  double total_length = 0;
  for (std::size_t row = 0; row < count_; ++row) {
    std::uint32_t length = 0;
    std::memcpy(&length, lengths.data() + 4 * row, 4);
    CORAG_CHECK(length == row_terms[row], (dir / kLengthsName).string(), ": passage row ", row, " has length ", length,
                ", but the postings (", kTermsName, ", ", kPostingsName, ") count ", row_terms[row],
                " terms in it: one of these files is damaged");
    total_length += length;
    length_norm_[row] = static_cast<float>(
        options_.k1 * (1.0 - options_.b + options_.b * static_cast<double>(length) / std::max(average_length_, 1e-9)));
  }
  // The build summed the same lengths in the same order; JSON keeps a double exactly.
  const double average = count_ ? total_length / static_cast<double>(count_) : 0.0;
  CORAG_CHECK(std::abs(average - average_length_) <= 1e-12 * std::max(1.0, average), meta_file.string(),
              ": average_length ", average_length_, " is not the mean of ", kLengthsName, " (", average, ")");
}

Bm25Index::~Bm25Index() = default;

std::uint32_t Bm25Index::document_frequency(const std::string& term) const {
  const auto found = terms_.find(term);
  return found == terms_.end() ? 0 : found->second.df;
}

/// Per-thread scoring state: a score per row, touched rows listed for a cheap reset.
class Bm25Index::Searcher {
 public:
  explicit Searcher(const Bm25Index& index)
      : index_(index), analyzer_(index.options_.analyzer), scores_(index.count_, 0.0f) {}

  std::vector<ScoredRow> search(const std::string& query, std::size_t k) {
    std::map<std::string, std::uint32_t> query_terms;  // sorted: a fixed accumulation order
    for (auto& term : analyzer_.terms(query)) ++query_terms[term];
    const auto* postings = reinterpret_cast<const Posting*>(index_.postings_->data());
    const double n = static_cast<double>(index_.count_);
    const double k1 = index_.options_.k1;
    for (const auto& [term, query_tf] : query_terms) {
      const auto found = index_.terms_.find(term);
      if (found == index_.terms_.end()) continue;
      const double df = found->second.df;
      const double weight = query_tf * std::log(1.0 + (n - df + 0.5) / (df + 0.5)) * (k1 + 1.0);
      const auto* begin = postings + found->second.offset;
      for (const auto* posting = begin; posting != begin + found->second.df; ++posting) {
        float& score = scores_[posting->row];
        if (score == 0.0f) touched_.push_back(posting->row);
        score += static_cast<float>(weight * posting->tf / (posting->tf + index_.length_norm_[posting->row]));
      }
    }
    candidates_.clear();
    for (const auto row : touched_) {
      candidates_.push_back({row, scores_[row]});
      scores_[row] = 0.0f;
    }
    touched_.clear();
    const auto keep = static_cast<std::ptrdiff_t>(std::min(k, candidates_.size()));
    std::partial_sort(candidates_.begin(), candidates_.begin() + keep, candidates_.end(), ranks_before);
    // A fresh vector of k hits: the candidate buffer (up to one entry per passage) is reused.
    return std::vector<ScoredRow>(candidates_.begin(), candidates_.begin() + keep);
  }

 private:
  const Bm25Index& index_;
  TextAnalyzer analyzer_;
  std::vector<float> scores_;
  std::vector<std::uint32_t> touched_;
  std::vector<ScoredRow> candidates_;
};

std::vector<std::vector<ScoredRow>> Bm25Index::search(const std::vector<std::string>& queries, std::size_t k,
                                                      int threads) const {
  std::vector<std::vector<ScoredRow>> results(queries.size());
  const auto workers = std::max<std::size_t>(
      1, std::min<std::size_t>(static_cast<std::size_t>(resolve_thread_count(threads)), queries.size()));
  run_workers(workers, [&](std::size_t w) {
    Searcher searcher(*this);
    for (std::size_t i = w; i < queries.size(); i += workers) results[i] = searcher.search(queries[i], k);
  });
  return results;
}

}  // namespace corag
