#include "corag/models/hf_config_file.hpp"

#include <cmath>

#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {

HfConfigFile HfConfigFile::load(const std::filesystem::path& model_dir) {
  const auto file = model_dir / "config.json";
  CORAG_CHECK(std::filesystem::is_directory(model_dir), model_dir.string(), ": not a model directory");
  CORAG_CHECK(std::filesystem::is_regular_file(file), file.string(),
              ": missing (a Hugging Face model directory needs config.json)");
  return HfConfigFile(read_json_file(file), file.string());
}

HfConfigFile::HfConfigFile(nlohmann::json json, std::string source)
    : json_(std::move(json)), source_(std::move(source)) {
  CORAG_CHECK(json_.is_object(), source_, ": expected a JSON object");
}

bool HfConfigFile::has(const char* key) const { return json_.contains(key) && !json_[key].is_null(); }

std::int64_t HfConfigFile::integer(const char* key, std::int64_t fallback, std::int64_t min_value,
                                   std::int64_t max_value) const {
  if (!has(key)) return fallback;
  const auto& value = json_[key];
  CORAG_CHECK(value.is_number_integer() &&
                  (!value.is_number_unsigned() ||
                   value.get<std::uint64_t>() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())),
              source_, ": '", key, "' must be an integer, got ", value.dump());
  const auto number = value.get<std::int64_t>();
  CORAG_CHECK(number >= min_value && number <= max_value, source_, ": '", key, "' must be between ", min_value, " and ",
              max_value, ", got ", number);
  return number;
}

double HfConfigFile::number(const char* key, double fallback, double min_value, double max_value) const {
  if (!has(key)) return fallback;
  const auto& value = json_[key];
  CORAG_CHECK(value.is_number(), source_, ": '", key, "' must be a number, got ", value.dump());
  const auto number = value.get<double>();
  CORAG_CHECK(std::isfinite(number) && number >= min_value && number <= max_value, source_, ": '", key,
              "' must be between ", min_value, " and ", max_value, ", got ", value.dump());
  return number;
}

bool HfConfigFile::flag(const char* key, bool fallback) const {
  if (!has(key)) return fallback;
  const auto& value = json_[key];
  CORAG_CHECK(value.is_boolean(), source_, ": '", key, "' must be true or false, got ", value.dump());
  return value.get<bool>();
}

std::string HfConfigFile::text(const char* key, const std::string& fallback) const {
  if (!has(key)) return fallback;
  const auto& value = json_[key];
  CORAG_CHECK(value.is_string(), source_, ": '", key, "' must be a string, got ", value.dump());
  return value.get<std::string>();
}

void write_hf_config(const std::filesystem::path& model_dir, const nlohmann::json& config) {
  std::filesystem::create_directories(model_dir);
  write_file_atomically(model_dir / "config.json", config.dump(2) + "\n");
}

}  // namespace corag
