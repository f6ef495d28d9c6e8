#include "corag/util/json_fields.hpp"

#include <algorithm>

#include "corag/util/error.hpp"
#include "corag/util/nearest_name.hpp"

namespace corag {

std::string required_string_field(const nlohmann::json& object, const char* key, const std::string& location) {
  const auto it = object.find(key);
  CORAG_CHECK(it != object.end(), location, ": missing '", key, "'");
  CORAG_CHECK(it->is_string(), location, ": '", key, "' must be a string, got ", it->type_name());
  return it->get<std::string>();
}

std::string optional_string_field(const nlohmann::json& object, const char* key, const std::string& location) {
  return object.contains(key) ? required_string_field(object, key, location) : std::string();
}

std::string optional_id_field(const nlohmann::json& object, const char* key, const std::string& location) {
  const auto it = object.find(key);
  if (it == object.end()) return {};
  if (it->is_number_integer()) return it->dump();
  CORAG_CHECK(it->is_string() && !it->get_ref<const std::string&>().empty(), location, ": '", key,
              "' must be a non-empty string or an integer, got ", it->dump());
  return it->get<std::string>();
}

void refuse_misspelt_keys(const nlohmann::json& object, const std::vector<std::string>& known,
                          const std::string& location) {
  for (const auto& item : object.items()) {
    if (std::find(known.begin(), known.end(), item.key()) != known.end()) continue;
    const auto nearest = nearest_name(item.key(), known);
    CORAG_CHECK(nearest.empty(), location, ": unknown key '", item.key(), "' (did you mean '", nearest, "'?)");
  }
}

}  // namespace corag
