#include "corag/util/json_object_reader.hpp"

#include <cmath>

#include "corag/util/error.hpp"
#include "corag/util/json_fields.hpp"

namespace corag {

JsonObjectReader::JsonObjectReader(const nlohmann::json& object, std::string source)
    : object_(object), source_(std::move(source)) {
  CORAG_CHECK(object_.is_object(), source_, ": expected a JSON object");
}

const nlohmann::json& JsonObjectReader::field(const char* key) const {
  const auto found = object_.find(key);
  CORAG_CHECK(found != object_.end(), source_, ": missing '", key, "'");
  return *found;
}

std::string JsonObjectReader::text(const char* key) const { return required_string_field(object_, key, source_); }

std::uint64_t JsonObjectReader::unsigned_integer(const char* key) const {
  const auto& value = field(key);
  CORAG_CHECK(value.is_number_unsigned(), source_, ": '", key, "' must be a non-negative integer, got ", value.dump());
  return value.get<std::uint64_t>();
}

double JsonObjectReader::number(const char* key) const {
  const auto& value = field(key);
  CORAG_CHECK(value.is_number() && std::isfinite(value.get<double>()), source_, ": '", key,
              "' must be a finite number, got ", value.dump());
  return value.get<double>();
}

bool JsonObjectReader::flag(const char* key) const {
  const auto& value = field(key);
  CORAG_CHECK(value.is_boolean(), source_, ": '", key, "' must be true or false, got ", value.dump());
  return value.get<bool>();
}

}  // namespace corag
