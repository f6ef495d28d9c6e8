#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/models/fid_reader.hpp"
#include "corag/util/jsonl_reader.hpp"
#include "corag/util/qa_reader.hpp"

namespace corag {

/// One line of reader input (`corag reader score`, `corag generate`, the output of
/// `corag retrieve`): a QA record plus `passages: [{"title", "text", ...}]` (absent or empty:
/// closed-book).
struct ReaderRecord {
  QaRecord qa;
  ReaderExample example;
};

/// Converts one parsed line; errors are prefixed with `location` ("file:line") and name the
/// passage at fault.
ReaderRecord parse_reader_record(const nlohmann::json& value, const std::string& location, AnswersPolicy policy);

/// Streams a reader-input JSONL file in batches.
class ReaderRecordReader {
 public:
  ReaderRecordReader(const std::filesystem::path& path, AnswersPolicy policy) : lines_(path), policy_(policy) {}
  /// Up to `count` next records; empty at the end of the file.
  std::vector<ReaderRecord> next_batch(std::size_t count);

 private:
  JsonlReader lines_;
  AnswersPolicy policy_;
};

}  // namespace corag
