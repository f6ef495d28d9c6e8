#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace corag {

/// Typed access to fields of one JSON record; errors are prefixed with `location` (file:line).
std::string required_string_field(const nlohmann::json& object, const char* key, const std::string& location);
/// The field as a string, or "" when absent.
std::string optional_string_field(const nlohmann::json& object, const char* key, const std::string& location);
/// An id may be written as a string or an integer; "" when absent.
std::string optional_id_field(const nlohmann::json& object, const char* key, const std::string& location);

/// Throws naming `location` when a key of `object` is not one of `known` but a plausible typo of
/// one (nearest_name): the misspelt field would be ignored and its default read instead. Keys
/// far from every known one (a file's own metadata) pass.
void refuse_misspelt_keys(const nlohmann::json& object, const std::vector<std::string>& known,
                          const std::string& location);

}  // namespace corag
