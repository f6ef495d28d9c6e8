#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace corag {

/// Typed access to fields of one JSON record; errors are prefixed with `location` (file:line).
std::string required_string_field(const nlohmann::json& object, const char* key, const std::string& location);
/// The field as a string, or "" when absent.
std::string optional_string_field(const nlohmann::json& object, const char* key, const std::string& location);
/// An id may be written as a string or an integer; "" when absent.
std::string optional_id_field(const nlohmann::json& object, const char* key, const std::string& location);

}  // namespace corag
