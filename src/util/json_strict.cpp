#include "corag/util/json_strict.hpp"

#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "corag/util/error.hpp"
#include "corag/util/input_file.hpp"

namespace corag {

nlohmann::json parse_json_strict(std::string_view text, std::string_view source) {
  using nlohmann::json;
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  const json::parser_callback_t track_keys = [&](int depth, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        // Refused while parsing: copying a value nested 150,000 deep overflowed the stack.
        CORAG_CHECK(depth < kMaxJsonDepth, source, ": JSON nested deeper than ", kMaxJsonDepth, " levels");
        if (event == json::parse_event_t::object_start) open_objects.emplace_back();
        break;
      case json::parse_event_t::object_end:
        open_objects.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open_objects.back().insert(parsed.get<std::string>()).second && duplicate.empty()) {
          duplicate = parsed.get<std::string>();
        }
        break;
      default:
        break;
    }
    return true;
  };
  json result;
  try {
    result = json::parse(text.begin(), text.end(), track_keys);
  } catch (const json::exception& e) {
    throw_error(source, ": invalid JSON: ", e.what());
  }
  CORAG_CHECK(duplicate.empty(), source, ": duplicate key '", duplicate, "'");
  return result;
}

std::string read_file(const std::filesystem::path& path) {
  require_input_file(path);
  std::ifstream in(path, std::ios::binary);
  CORAG_CHECK(in, path.string(), ": cannot open");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  return parse_json_strict(read_file(path), path.string());
}

}  // namespace corag
