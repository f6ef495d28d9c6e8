#include "corag/train/run_card.hpp"

#include <unistd.h>

#include <ATen/Parallel.h>

#include <algorithm>
#include <ctime>
#include <vector>

#include "corag/util/atomic_file.hpp"
#include "corag/util/command_line.hpp"
#include "corag/util/device.hpp"
#include "corag/util/file_checksum.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace {

constexpr const char* kRunCardName = "run_card.json";

std::string host_name() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? name : "unknown";
}

/// SHA-256 of every regular file under `dir` (recursively), keyed by its path relative to it.
nlohmann::json folder_checksums(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  nlohmann::json checksums = nlohmann::json::object();
  for (const auto& file : files) checksums[std::filesystem::relative(file, dir).string()] = file_sha256(file);
  return checksums;
}

/// The current UTC time as ISO 8601, "2026-12-01T08:02:11Z".
std::string utc_timestamp() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

nlohmann::json input_checksums(const ExperimentConfig& config) {
  nlohmann::json inputs = {
      {"model.reader", folder_checksums(config.model.reader)},
      {"data.crab_dir/manifest.json", file_sha256(std::filesystem::path(config.data.crab_dir) / "manifest.json")}};
  if (config.model.retrieval) {
    inputs["model.retriever"] = folder_checksums(config.model.retriever);
    inputs["store.embeddings/meta.json"] = file_sha256(std::filesystem::path(config.store.embeddings) / "meta.json");
  }
  return inputs;
}

}  // namespace

RunCard::RunCard(const std::filesystem::path& run_dir, const ExperimentConfig& config, const Runtime& runtime)
    : path_(run_dir / kRunCardName) {
  card_ =
      std::filesystem::exists(path_) ? read_json_file(path_) : nlohmann::json{{"sessions", nlohmann::json::array()}};
  CORAG_CHECK(card_.is_object() && card_.contains("sessions") && card_["sessions"].is_array(), path_.string(),
              ": expected {\"sessions\": [...]}");
  std::error_code error;
  card_["sessions"].push_back({{"started", utc_timestamp()},
                               {"finished", nullptr},
                               {"command", own_command_line()},
                               {"working_dir", std::filesystem::current_path(error).string()},
                               {"host", host_name()},
                               {"build", build_description()},
                               {"device", runtime.device.str()},
                               {"precision", c10::toString(runtime.compute_dtype)},
                               {"threads", at::get_num_threads()},
                               {"inputs_sha256", input_checksums(config)}});
  write();
}

void RunCard::finish() {
  card_["sessions"].back()["finished"] = utc_timestamp();
  write();
}

void RunCard::write() const { write_file_atomically(path_, card_.dump(2) + "\n"); }

}  // namespace corag
