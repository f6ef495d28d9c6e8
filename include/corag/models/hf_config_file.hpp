#pragma once

#include <filesystem>
#include <limits>
#include <string>

#include <nlohmann/json.hpp>

namespace corag {

/// A model directory's `config.json`, read with typed lookups whose errors name the file and
/// key. Keys the model does not use are kept, so that saving writes them back unchanged.
class HfConfigFile {
 public:
  static HfConfigFile load(const std::filesystem::path& model_dir);
  HfConfigFile(nlohmann::json json, std::string source);

  /// An integer in [min_value, max_value]: sizes from a downloaded file are bounded before a
  /// model of that size is allocated.
  std::int64_t integer(const char* key, std::int64_t fallback, std::int64_t min_value = 0,
                       std::int64_t max_value = std::numeric_limits<std::int64_t>::max()) const;
  /// A finite number in [min_value, max_value].
  double number(const char* key, double fallback, double min_value, double max_value) const;
  bool flag(const char* key, bool fallback) const;
  std::string text(const char* key, const std::string& fallback) const;
  bool has(const char* key) const;
  const std::string& source() const { return source_; }
  const nlohmann::json& json() const { return json_; }

 private:
  nlohmann::json json_;
  std::string source_;
};

/// Writes `config` as `model_dir/config.json`, atomically.
void write_hf_config(const std::filesystem::path& model_dir, const nlohmann::json& config);

}  // namespace corag
