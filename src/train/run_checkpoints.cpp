#include "corag/train/run_checkpoints.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace {

constexpr const char* kPrefix = "ckpt-";

std::vector<std::filesystem::path> complete_checkpoints(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> found;
  if (!std::filesystem::is_directory(dir)) return found;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (entry.is_directory() && name.rfind(kPrefix, 0) == 0 &&
        std::filesystem::is_regular_file(entry.path() / "state" / "state.json")) {
      found.push_back(entry.path());
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

}  // namespace

RunCheckpoints::RunCheckpoints(std::filesystem::path dir, std::int64_t keep) : dir_(std::move(dir)), keep_(keep) {
  CORAG_CHECK(keep_ >= 1, "train.keep_checkpoints must be at least 1");
}

std::optional<std::filesystem::path> RunCheckpoints::latest() const {
  const auto found = complete_checkpoints(dir_);
  if (found.empty()) return std::nullopt;
  return found.back();
}

std::filesystem::path RunCheckpoints::write(nlohmann::json state,
                                            const std::function<void(const std::filesystem::path&)>& fill) {
  std::int64_t sequence = 1;
  if (const auto last = latest()) sequence = read_state(*last).at("sequence").get<std::int64_t>() + 1;
  char name[32];
  std::snprintf(name, sizeof name, "%s%06lld", kPrefix, static_cast<long long>(sequence));
  const auto target = dir_ / name;
  state["sequence"] = sequence;
  write_directory_atomically(target, [&](const std::filesystem::path& folder) {
    std::filesystem::create_directories(folder / "state");
    fill(folder);
    write_file_atomically(folder / "state" / "state.json", state.dump(2) + "\n");
  });
  prune();
  return target;
}

void RunCheckpoints::prune() const {
  auto found = complete_checkpoints(dir_);
  while (static_cast<std::int64_t>(found.size()) > keep_) {
    remove_directory_atomically(found.front());
    found.erase(found.begin());
  }
}

nlohmann::json RunCheckpoints::read_state(const std::filesystem::path& checkpoint) {
  return read_json_file(checkpoint / "state" / "state.json");
}

}  // namespace corag
