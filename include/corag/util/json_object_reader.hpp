#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace corag {

/// Typed access to the fields of a JSON object read from a file (an index's or a store's
/// metadata): a missing field or one of another type is a corag::Error naming the source and
/// the key, never a raw nlohmann exception.
class JsonObjectReader {
 public:
  /// Throws naming `source` unless `object` is a JSON object.
  JsonObjectReader(const nlohmann::json& object, std::string source);

  bool has(const char* key) const { return object_.contains(key); }
  std::string text(const char* key) const;
  std::uint64_t unsigned_integer(const char* key) const;
  /// A finite number.
  double number(const char* key) const;
  bool flag(const char* key) const;
  const std::string& source() const { return source_; }

 private:
  const nlohmann::json& field(const char* key) const;

  const nlohmann::json& object_;
  std::string source_;
};

}  // namespace corag
