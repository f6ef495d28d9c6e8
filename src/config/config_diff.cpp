#include "corag/config/config_diff.hpp"

#include <map>
#include <set>

#include <yaml-cpp/yaml.h>

#include "corag/util/error.hpp"

namespace corag {
namespace {

/// "section.key" -> the value as flow-style YAML.
std::map<std::string, std::string> flatten(const std::string& text, const std::string& name) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw_error(name, ":", e.mark.line + 1, ": YAML syntax error: ", e.msg);
  }
  std::map<std::string, std::string> values;
  if (root.IsNull()) return values;
  CORAG_CHECK(root.IsMap(), name, ": a config is a mapping of sections");
  for (const auto& section : root) {
    const auto section_name = section.first.as<std::string>();
    CORAG_CHECK(section.second.IsMap() || section.second.IsNull(), name, ": section '", section_name,
                "' is not a mapping");
    for (const auto& item : section.second) {
      YAML::Emitter out;
      out << YAML::Flow << item.second;
      values[section_name + "." + item.first.as<std::string>()] = out.c_str();
    }
  }
  return values;
}

}  // namespace

std::vector<std::string> config_differences(const std::string& before, const std::string& after,
                                            const std::string& before_name, const std::string& after_name) {
  const auto old_values = flatten(before, before_name);
  const auto new_values = flatten(after, after_name);
  std::set<std::string> keys;
  for (const auto& [key, value] : old_values) keys.insert(key);
  for (const auto& [key, value] : new_values) keys.insert(key);
  std::vector<std::string> differences;
  for (const auto& key : keys) {
    const auto old_value = old_values.find(key), new_value = new_values.find(key);
    const std::string was = old_value == old_values.end() ? "(absent)" : old_value->second;
    const std::string now = new_value == new_values.end() ? "(absent)" : new_value->second;
    if (was != now) differences.push_back(key + ": " + was + " -> " + now);
  }
  return differences;
}

}  // namespace corag
