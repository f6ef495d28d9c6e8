#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace corag {

/// A model directory's `config.json`, read with typed lookups whose errors name the file and
/// key. Keys the model does not use are kept, so that saving writes them back unchanged.
class HfConfigFile {
 public:
  static HfConfigFile load(const std::filesystem::path& model_dir);
  HfConfigFile(nlohmann::json json, std::string source);

  std::int64_t integer(const char* key, std::int64_t fallback, std::int64_t min_value = 0) const;
  double number(const char* key, double fallback) const;
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
