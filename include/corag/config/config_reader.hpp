#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "corag/config/enum_names.hpp"
#include "corag/config/field_rules.hpp"

namespace corag {

/// A config file's YAML with the `--set section.key=value` overrides applied, and where every
/// value came from, so that an error can name `file:line` or the `--set` at fault.
struct ConfigDocument {
  std::string file;  ///< "" when there is no file (defaults + overrides only)
  YAML::Node root;
  std::map<std::string, std::string> overrides;  ///< "train.lr" -> "--set train.lr=abc"
  /// "train" and "train.lr" -> the file that set them, where it is not `file` (a base config).
  std::map<std::string, std::string> base_files;

  /// "file:line" of `node`, or the --set that produced `key`.
  std::string locate(const std::string& key, const YAML::Node& node) const;
  /// The absolute folder a relative path in `key` is relative to: that of the config file that
  /// set it (a base config's for a key it inherits), or the working directory for a --set.
  std::filesystem::path folder_of(const std::string& key) const;
};

/// Reads `file` (may be empty: all defaults) and applies each `section.key=value` of
/// `overrides` in order; a value is parsed as YAML (`[a, b]` is a list). Syntax errors name the
/// file, line and column, or the --set. A file whose top-level `extends:` names another config
/// (relative to the file's folder) is read over that base, key by key: a key it sets replaces
/// the base's, a section it writes as anything but a mapping replaces the base's section. Bases
/// may extend further bases; a cycle is an error.
ConfigDocument load_config_document(const std::filesystem::path& file, const std::vector<std::string>& overrides);

/// Fills a config struct from a ConfigDocument through the struct's `visit`. Collects every
/// problem (unknown keys with the nearest valid name, wrong types, values out of range or not
/// among the choices) and `finish()` throws them together in one corag::Error.
class ConfigReader {
 public:
  explicit ConfigReader(const ConfigDocument& document);

  template <typename Section>
  void section(const std::string& name, Section& value) {
    begin_section(name);
    value.visit(*this);
    end_section();
  }

  void field(const char* key, bool& value);
  void field(const char* key, std::int64_t& value, Limits limits = {});
  void field(const char* key, double& value, Limits limits = {});
  void field(const char* key, std::string& value);
  void field(const char* key, std::vector<std::string>& value);
  /// A file or folder: read as a string, and made absolute against `ConfigDocument::folder_of`,
  /// so a config names the same files wherever it is run from (unset and "" stay as they are).
  void path(const char* key, std::string& value);
  void path(const char* key, std::vector<std::string>& value);
  /// An enumerated field, spelt as `enum_names` lists it.
  template <typename Enum, typename = std::enable_if_t<std::is_enum_v<Enum>>>
  void field(const char* key, Enum& value) {
    std::string name = to_string(value);
    field(key, name, enum_choices<Enum>());
    value = enum_from_name<Enum>(name, key);  // unchanged when the file's spelling was refused
  }

  /// Adds the problems of a config's cross-field check.
  void add_problems(const std::vector<ConfigProblem>& problems);
  /// Reports unknown sections and throws if any problem was found.
  void finish();

 private:
  /// A string that must be one of `choices` (the spellings of an enum field).
  void field(const char* key, std::string& value, const Choices& choices);
  void begin_section(const std::string& name);
  void end_section();
  /// The value node of `key` in the current section, or an undefined node.
  YAML::Node value_node(const char* key);
  std::string full_key(const char* key) const { return section_name_ + "." + key; }
  void problem(const char* key, const YAML::Node& node, const std::string& message);
  /// The value node of "section.key" in the document, or an undefined node.
  YAML::Node node_of(const std::string& key) const;

  const ConfigDocument& document_;
  std::vector<std::string> problems_;
  std::vector<std::string> section_names_;
  std::string section_name_;
  std::optional<YAML::Node> section_node_;  // yaml-cpp nodes cannot be rebound by assignment
  std::vector<std::string> field_names_;
};

/// Reads a config struct (ExperimentConfig, ...) from a loaded document; every problem is
/// reported in one corag::Error.
template <typename Config>
Config read_config(const ConfigDocument& document) {
  Config config;
  ConfigReader reader(document);
  config.visit(reader);
  reader.add_problems(config.check());
  reader.finish();
  return config;
}

/// Loads a config struct (ExperimentConfig, ...) from a YAML file and overrides.
template <typename Config>
Config load_config(const std::filesystem::path& file, const std::vector<std::string>& overrides) {
  return read_config<Config>(load_config_document(file, overrides));
}

}  // namespace corag
