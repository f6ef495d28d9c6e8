#include "corag/models/reader_record.hpp"

#include "corag/util/error.hpp"
#include "corag/util/json_fields.hpp"

namespace corag {

ReaderRecord parse_reader_record(const nlohmann::json& value, const std::string& location, AnswersPolicy policy) {
  ReaderRecord record;
  record.qa = parse_qa_record(value, location, policy);
  record.example.question = record.qa.question;
  if (!value.contains("passages") || value["passages"].is_null()) return record;
  const auto& passages = value["passages"];
  CORAG_CHECK(passages.is_array(), location, ": 'passages' must be a list of {\"title\", \"text\"} objects");
  for (std::size_t i = 0; i < passages.size(); ++i) {
    const auto where = location + ": passages[" + std::to_string(i) + "]";
    CORAG_CHECK(passages[i].is_object(), where, ": expected an object with 'title' and 'text'");
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
