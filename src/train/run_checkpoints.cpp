#include "corag/train/run_checkpoints.hpp"

#include <algorithm>
#include <cstdio>
#include <string>
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

std::string checkpoint_name(std::int64_t sequence) {
  char name[32];
  std::snprintf(name, sizeof name, "%s%06lld", kPrefix, static_cast<long long>(sequence));
  return name;
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

std::filesystem::path RunCheckpoints::write(RunState state,
                                            const std::function<void(const std::filesystem::path&)>& fill) {
  state.sequence = 1;
  if (const auto last = latest()) state.sequence = read_state(*last).sequence + 1;
  const auto target = dir_ / checkpoint_name(state.sequence);
  write_directory_atomically(target, [&](const std::filesystem::path& folder) {
    std::filesystem::create_directories(folder / "state");
    fill(folder);
    write_file_atomically(folder / "state" / "state.json", state.to_json().dump(2) + "\n");
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

RunState RunCheckpoints::read_state(const std::filesystem::path& checkpoint) {
  const auto file = checkpoint / "state" / "state.json";
  const auto json = read_json_file(file);
  // The next checkpoint is numbered from this one's: a number that is not its folder's would
  // write over this checkpoint or an older one.
  const auto sequence = json.is_object() ? json.find("sequence") : json.end();
  CORAG_CHECK(sequence != json.end() && sequence->is_number_integer() && sequence->get<std::int64_t>() >= 1 &&
                  checkpoint_name(sequence->get<std::int64_t>()) == checkpoint.filename().string(),
              file.string(), ": sequence ", sequence == json.end() ? std::string("nothing") : sequence->dump(),
              " is not its folder's number (", checkpoint.filename().string(), ")");
  return RunState::from_json(json, file.string());
}

}  // namespace corag
