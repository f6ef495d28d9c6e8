#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/util/jsonl_reader.hpp"
#include "corag/util/tsv_reader.hpp"

namespace corag {

/// One passage of a corpus.
struct Passage {
  std::string id;
  std::string title;
  std::string text;
};

/// The two corpus formats of DESIGN.md.
enum class CorpusFormat {
  jsonl,    ///< `{"id": str|int, "title": str, "text": str}` or Pyserini's `{"id", "contents": "title\ntext"}`
  dpr_tsv,  ///< DPR's psgs_w100.tsv: header `id<TAB>text<TAB>title`, csv-style quoting
};

/// `.tsv` files are DPR TSV, `.jsonl`/`.json` files JSONL; anything else is sniffed from its
/// first byte ('{' means JSONL).
CorpusFormat detect_corpus_format(const std::filesystem::path& path);

/// Streams a passage corpus in either format, one passage at a time.
class PassageReader {
 public:
  explicit PassageReader(const std::filesystem::path& path);

  bool next(Passage& passage);
  CorpusFormat format() const { return format_; }
  std::string location() const;

 private:
  CorpusFormat format_;
  std::unique_ptr<JsonlReader> jsonl_;
  std::unique_ptr<TsvReader> tsv_;
  nlohmann::json value_;
  std::vector<std::string> fields_;
};

}  // namespace corag
