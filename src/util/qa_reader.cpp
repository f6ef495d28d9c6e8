#include "corag/util/qa_reader.hpp"

#include "corag/util/error.hpp"
#include "corag/util/json_fields.hpp"

namespace corag {

QaRecord parse_qa_record(const nlohmann::json& value, const std::string& location, AnswersPolicy policy) {
  CORAG_CHECK(value.is_object(), location, ": expected a JSON object, got ", value.type_name());
  // 'passages' and 'prediction' are read by the readers built on this one (reader inputs,
  // predictions); listed here so that they are not taken for typos of the QA keys.
  refuse_misspelt_keys(value, {"id", "question", "answers", "answer", "passages", "prediction"}, location);
  QaRecord record;
  record.id = optional_id_field(value, "id", location);
  record.question = required_string_field(value, "question", location);
  CORAG_CHECK(record.question.find_first_not_of(" \t\n") != std::string::npos, location, ": 'question' is empty");

  const bool has_answers = value.contains("answers"), has_answer = value.contains("answer");
  CORAG_CHECK(!(has_answers && has_answer), location, ": has both 'answers' and 'answer'");
  if (!has_answers && !has_answer) {
    CORAG_CHECK(policy == AnswersPolicy::optional, location, ": missing 'answers' (or NQ-open 'answer')");
    return record;
  }
  const char* key = has_answers ? "answers" : "answer";
  const nlohmann::json& answers = value[key];
  CORAG_CHECK(answers.is_array(), location, ": '", key, "' must be a list of strings");
  for (const auto& answer : answers) {
    CORAG_CHECK(answer.is_string() && !answer.get_ref<const std::string&>().empty(), location, ": '", key,
                "' must hold non-empty strings, got ", answer.dump());
    record.answers.push_back(answer.get<std::string>());
  }
  CORAG_CHECK(policy == AnswersPolicy::optional || !record.answers.empty(), location, ": '", key, "' is empty");
  return record;
}

bool QaReader::next(QaRecord& record) {
  if (!lines_.next(value_)) return false;
  record = parse_qa_record(value_, lines_.location(), policy_);
  return true;
}

std::vector<QaRecord> read_qa_file(const std::filesystem::path& path, AnswersPolicy policy) {
  std::vector<QaRecord> records;
  QaReader reader(path, policy);
  QaRecord record;
  while (reader.next(record)) records.push_back(std::move(record));
  return records;
}

}  // namespace corag
