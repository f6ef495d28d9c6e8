#include "corag/config/config_writer.hpp"

#include <charconv>

#include "corag/util/atomic_file.hpp"

namespace corag {

ConfigWriter::ConfigWriter() { out_ << YAML::BeginMap; }

void ConfigWriter::field(const char* key, bool& value) {
  out_ << YAML::Key << key << YAML::Value << (value ? "true" : "false");
}

void ConfigWriter::field(const char* key, std::int64_t& value, Limits) {
  out_ << YAML::Key << key << YAML::Value << std::to_string(value);
}

void ConfigWriter::field(const char* key, double& value, Limits) {
  char text[32];
  const auto result = std::to_chars(text, text + sizeof text, value);
  std::string number(text, result.ptr);
  // Keep it a float for YAML readers that need a '.' to see one (PyYAML reads 4e-05 as a string).
  if (number.find('.') == std::string::npos) {
    const auto exponent = number.find('e');
    number.insert(exponent == std::string::npos ? number.size() : exponent, ".0");
  }
  out_ << YAML::Key << key << YAML::Value << number;
}

void ConfigWriter::field(const char* key, std::string& value) {
  out_ << YAML::Key << key << YAML::Value << YAML::DoubleQuoted << value;
}

void ConfigWriter::field(const char* key, std::vector<std::string>& value) {
  out_ << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginSeq;
  for (const auto& item : value) out_ << YAML::DoubleQuoted << item;
  out_ << YAML::EndSeq;
}

std::string ConfigWriter::text() {
  out_ << YAML::EndMap;
  return std::string(out_.c_str()) + "\n";
}

std::filesystem::path write_resolved_config_text(const std::string& yaml, const std::filesystem::path& run_dir) {
  const auto path = run_dir / "config.resolved.yaml";
  write_file_atomically(path, yaml);
  return path;
}

}  // namespace corag
