#include "corag/crab/crab_qrels.hpp"

#include <nlohmann/json.hpp>

#include "corag/util/error.hpp"
#include "corag/util/json_fields.hpp"
#include "corag/util/jsonl_reader.hpp"

namespace corag {
namespace {

/// The passage ids of `key` on one classification line.
const nlohmann::json& id_list(const nlohmann::json& line, const char* key, const std::string& where) {
  const auto found = line.find(key);
  CORAG_CHECK(found != line.end() && found->is_array(), where, ": '", key, "' must be a list of passage ids");
  for (const auto& id : *found) CORAG_CHECK(id.is_string(), where, ": '", key, "' holds ", id.dump(), ", not an id");
  return *found;
}

}  // namespace

std::size_t write_crab_qrels(const CrabLayout& layout, const std::string& split, std::optional<int> hard_negative_grade,
                             std::ostream& out) {
  CORAG_CHECK(split == "train" || split == "dev" || split == "test", "qrels: split must be train, dev or test, got '",
              split, "'");
  const auto file = layout.classification_file(split);
  CORAG_CHECK(std::filesystem::is_regular_file(file), file.string(),
              ": missing (a finished crab-build-stores run writes it)");
  JsonlReader lines(file);
  std::size_t written = 0;
  for (nlohmann::json line; lines.next(line);) {
    const auto where = lines.location();
    CORAG_CHECK(line.is_object(), where, ": expected {\"id\", \"relevant\", \"hard_negatives\"}");
    const auto qid = required_string_field(line, "id", where);
    for (const auto& id : id_list(line, "relevant", where)) {
      out << qid << " 0 " << id.get<std::string>() << " 1\n";
      ++written;
    }
    const auto& hard = id_list(line, "hard_negatives", where);
    if (!hard_negative_grade) continue;
    for (const auto& id : hard) {
      out << qid << " 0 " << id.get<std::string>() << ' ' << *hard_negative_grade << '\n';
      ++written;
    }
  }
  return written;
}

}  // namespace corag
