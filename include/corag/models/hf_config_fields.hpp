#pragma once

#include <cstdint>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

#include "corag/models/hf_config_file.hpp"

namespace corag {

/// A model config lists its config.json fields once, in
/// `template <typename Self, typename Visitor> static void fields(Self& config, Visitor& v)` (Self
/// const for writing), as calls `v.integer(key, member, min, max)`, `v.number(...)`,
/// `v.flag(key, member)`, `v.text(key, member)` and `v.defaults_to(member, other)` (a field whose
/// default is another field's value, listed just before it). The reader and the writer below walk
/// that one list.

constexpr std::int64_t kNoUpperBound = std::numeric_limits<std::int64_t>::max();

/// Reads each listed field from config.json, bounds checked; a missing key keeps the current
/// value (the config's default).
class HfConfigFieldReader {
 public:
  explicit HfConfigFieldReader(const HfConfigFile& file) : file_(file) {}
  void integer(const char* key, std::int64_t& value, std::int64_t min_value, std::int64_t max_value) {
    value = file_.integer(key, value, min_value, max_value);
  }
  void number(const char* key, double& value, double min_value, double max_value) {
    value = file_.number(key, value, min_value, max_value);
  }
  void flag(const char* key, bool& value) { value = file_.flag(key, value); }
  void text(const char* key, std::string& value) { value = file_.text(key, value); }
  template <typename T>
  void defaults_to(T& value, const T& other) {
    value = other;
  }

 private:
  const HfConfigFile& file_;
};

/// Writes each listed field into a config.json object.
class HfConfigFieldWriter {
 public:
  explicit HfConfigFieldWriter(nlohmann::json& json) : json_(json) {}
  void integer(const char* key, const std::int64_t& value, std::int64_t, std::int64_t) { json_[key] = value; }
  void number(const char* key, const double& value, double, double) { json_[key] = value; }
  void flag(const char* key, const bool& value) { json_[key] = value; }
  void text(const char* key, const std::string& value) { json_[key] = value; }
  template <typename T>
  void defaults_to(const T&, const T&) {}

 private:
  nlohmann::json& json_;
};

}  // namespace corag
