#include "corag/util/jsonl_reader.hpp"

#include "corag/util/error.hpp"

namespace corag {

bool JsonlReader::next(nlohmann::json& value) {
  while (lines_.next(line_)) {
    if (line_.find_first_not_of(" \t") == std::string::npos) continue;
    try {
      value = nlohmann::json::parse(line_);
    } catch (const nlohmann::json::parse_error& e) {
      throw_error(location(), ": invalid JSON: ", e.what());
    }
    return true;
  }
  return false;
}

}  // namespace corag
