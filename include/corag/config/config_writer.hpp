#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "corag/config/enum_names.hpp"
#include "corag/config/field_rules.hpp"

namespace corag {

/// Emits a config struct as YAML through its `visit`: every field, defaults included, so that
/// the file alone reproduces the run. Numbers use the shortest text that reads back exactly.
class ConfigWriter {
 public:
  ConfigWriter();

  template <typename Section>
  void section(const std::string& name, Section& value) {
    out_ << YAML::Key << name << YAML::Value << YAML::BeginMap;
    value.visit(*this);
    out_ << YAML::EndMap;
  }

  void field(const char* key, bool& value);
  void field(const char* key, std::int64_t& value, Limits = {});
  void field(const char* key, double& value, Limits = {});
  void field(const char* key, std::string& value);
  void field(const char* key, std::vector<std::string>& value);
  void path(const char* key, std::string& value) { field(key, value); }
  void path(const char* key, std::vector<std::string>& value) { field(key, value); }
  template <typename Enum, typename = std::enable_if_t<std::is_enum_v<Enum>>>
  void field(const char* key, Enum& value) {
    std::string name = to_string(value);
    field(key, name);
  }

  std::string text();

 private:
  YAML::Emitter out_;
};

/// The config as YAML text.
template <typename Config>
std::string config_to_yaml(Config config) {
  ConfigWriter writer;
  config.visit(writer);
  return writer.text();
}

/// Writes `config.resolved.yaml` into `run_dir` atomically; returns its path.
std::filesystem::path write_resolved_config_text(const std::string& yaml, const std::filesystem::path& run_dir);

template <typename Config>
std::filesystem::path write_resolved_config(const Config& config, const std::filesystem::path& run_dir) {
  return write_resolved_config_text(config_to_yaml(config), run_dir);
}

}  // namespace corag
