#include "corag/models/reader_record.hpp"

#include "corag/util/error.hpp"
#include "corag/util/json_fields.hpp"

namespace corag {

namespace {

/// Passages under another key would be ignored and the question read closed-book without a
/// word: FiD's and DPR's `ctxs` by name, any other list of objects by its shape.
void refuse_foreign_passages(const nlohmann::json& value, const std::string& location) {
  CORAG_CHECK(!value.contains("ctxs"), location,
              ": has FiD/DPR's 'ctxs'; corag reads retrieved passages from 'passages' ([{\"title\", \"text\"}, ...])");
  for (const auto& [key, item] : value.items()) {
    const bool listed = key == "passages" || key == "answers" || key == "answer";
    CORAG_CHECK(listed || !item.is_array() || item.empty() || !item.front().is_object(), location, ": '", key,
                "' holds a list of objects, which corag would ignore; retrieved passages go under 'passages'");
  }
}

}  // namespace

ReaderRecord parse_reader_record(const nlohmann::json& value, const std::string& location, AnswersPolicy policy) {
  ReaderRecord record;
  record.qa = parse_qa_record(value, location, policy);
  record.example.question = record.qa.question;
  refuse_foreign_passages(value, location);
  if (!value.contains("passages") || value["passages"].is_null()) return record;
  const auto& passages = value["passages"];
  CORAG_CHECK(passages.is_array(), location, ": 'passages' must be a list of {\"title\", \"text\"} objects");
  for (std::size_t i = 0; i < passages.size(); ++i) {
    const auto where = location + ": passages[" + std::to_string(i) + "]";
    CORAG_CHECK(passages[i].is_object(), where, ": expected an object with 'title' and 'text'");
    for (const auto& [key, field] : passages[i].items()) {
      // A misspelt 'title' would read the passage untitled.
      CORAG_CHECK(key == "title" || key == "text" || key == "id" || key == "score" || key == "has_answer", where,
                  ": unknown key '", key, "' (a passage has 'title', 'text' and optionally 'id', 'score')");
    }
    record.example.passages.push_back(
        {optional_string_field(passages[i], "title", where), required_string_field(passages[i], "text", where)});
  }
  return record;
}

std::vector<ReaderRecord> ReaderRecordReader::next_batch(std::size_t count) {
  std::vector<ReaderRecord> batch;
  nlohmann::json value;
  while (batch.size() < count && lines_.next(value))
    batch.push_back(parse_reader_record(value, lines_.location(), policy_));
  return batch;
}

}  // namespace corag
