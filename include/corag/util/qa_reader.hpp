#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/util/jsonl_reader.hpp"

namespace corag {

/// One question with its gold answers (the QA file format of DESIGN.md).
struct QaRecord {
  std::string id;  ///< empty when the line has none
  std::string question;
  std::vector<std::string> answers;
};

/// Whether a QA line must carry answers (training and scoring) or may omit them (generation).
enum class AnswersPolicy { required, optional };

/// Converts one parsed QA line: `{"id"?: str|int, "question": str, "answers"|"answer": [str]}`.
/// `location` ("file:line") prefixes every error.
QaRecord parse_qa_record(const nlohmann::json& value, const std::string& location, AnswersPolicy policy);

/// Streams a QA JSONL file; accepts the NQ-open spelling `answer` as well as `answers`.
class QaReader {
 public:
  explicit QaReader(const std::filesystem::path& path, AnswersPolicy policy = AnswersPolicy::required)
      : lines_(path), policy_(policy) {}

  bool next(QaRecord& record);
  std::string location() const { return lines_.location(); }

 private:
  JsonlReader lines_;
  AnswersPolicy policy_;
  nlohmann::json value_;
};

/// Reads a whole QA file.
std::vector<QaRecord> read_qa_file(const std::filesystem::path& path, AnswersPolicy policy = AnswersPolicy::required);

}  // namespace corag
