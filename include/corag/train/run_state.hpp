#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "corag/config/experiment_config.hpp"

namespace corag {

/// Where a training run stood when it wrote a checkpoint (`state/state.json`), and what it had
/// written by then: read once, typed and checked, so a resumed run continues from exactly that
/// point (`--resume`; any number of ranks).
struct RunState {
  std::int64_t sequence = 0;  ///< the checkpoint's number (ckpt-NNNNNN)
  std::string config_hash;    ///< FNV-1a of the run's config.resolved.yaml
  TrainMode mode = TrainMode::local;
  std::int64_t round = 0;   ///< collaborative: rounds done
  std::int64_t client = 0;  ///< local: the client being trained (1-based)
  std::int64_t step = 0;    ///< local and centralized: steps done (of `client`, for local)
  std::int64_t metrics_lines = 0;
  std::int64_t scalars_lines = -1;  ///< -1: a checkpoint from before scalars.csv
  double elapsed_s = 0;             ///< wall seconds of the run up to the checkpoint

  /// The eval point the checkpoint was written at, as metrics.jsonl records name theirs:
  /// {"round"}, {"step"}, or {"client", "step"} for local training.
  nlohmann::json point() const;
  /// state.json's object (with a note on where the randomness comes from).
  nlohmann::json to_json() const;
  /// Reads state.json's object; a missing or mistyped field is an error naming `location` and
  /// the field (round, step and client are 0 when absent: their ranges are the run's to check).
  static RunState from_json(const nlohmann::json& state, const std::string& location);
};

}  // namespace corag
