#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>

#include "corag/train/run_state.hpp"

namespace corag {

/// The `checkpoints/` folder of a training run: `ckpt-000001`, `ckpt-000002`, ... each with
/// `reader/`, `retriever/` (HF layout) and `state/` (`state.json`: round/step, config hash,
/// metrics lines; `optimizer.safetensors` where the optimizer state carries over). A checkpoint is
/// filled in a hidden temporary folder and renamed into place, so a killed run leaves either
/// a complete checkpoint or none; only the newest `keep` are kept.
class RunCheckpoints {
 public:
  RunCheckpoints(std::filesystem::path dir, std::int64_t keep);

  /// The newest complete checkpoint, if any.
  std::optional<std::filesystem::path> latest() const;
  /// Writes the next checkpoint: `fill(folder)` writes the models (and optimizer), then
  /// `state` goes to `state/state.json` with its `sequence`. Returns the checkpoint's path.
  std::filesystem::path write(RunState state, const std::function<void(const std::filesystem::path&)>& fill);
  /// Removes all but the newest `keep` complete checkpoints (remove_directory_atomically: a kill
  /// mid-removal never leaves a partial checkpoint under its name). `write` prunes; a resumed run prunes first,
  /// since a kill between a checkpoint's rename and the pruning leaves one too many.
  void prune() const;

  /// A checkpoint's `state/state.json`; its `sequence` must be the folder's number.
  static RunState read_state(const std::filesystem::path& checkpoint);

 private:
  std::filesystem::path dir_;
  std::int64_t keep_;
};

}  // namespace corag
