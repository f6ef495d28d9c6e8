#include "corag/util/jsonl_reader.hpp"

#include "corag/util/json_strict.hpp"

namespace corag {

bool JsonlReader::next(nlohmann::json& value) {
  while (lines_.next(line_)) {
    if (line_.find_first_not_of(" \t") == std::string::npos) continue;
    value = parse_json_strict(line_, location());
    return true;
  }
  return false;
}

}  // namespace corag
