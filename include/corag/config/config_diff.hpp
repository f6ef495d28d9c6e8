#pragma once

#include <string>
#include <vector>

namespace corag {

/// The keys whose values differ between two resolved configs (YAML of sections of keys, as
/// config_to_yaml writes them), each as "section.key: <before> -> <after>" in key order; a key
/// present on one side only shows "(absent)" on the other. Empty when they are the same.
/// Throws corag::Error naming `before_name` or `after_name` when a text is not such YAML.
std::vector<std::string> config_differences(const std::string& before, const std::string& after,
                                            const std::string& before_name, const std::string& after_name);

}  // namespace corag
