#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/config/experiment_config.hpp"

namespace corag {

/// Where a training run stood when it wrote a checkpoint (`state/state.json`), and what it had
/// written by then: read once, typed and checked, so a resumed run continues from exactly that
/// point (`--resume`; any number of ranks).
struct RunState {
  /// Local training over ranks trains several clients at once: a client other than `client`
  /// whose model and optimizer the checkpoint holds in `clients/client_N/`, the steps it has
  /// done, and the metrics records and scalars.csv lines of its steps that are not in those files
  /// yet (they follow the lines of the clients before it, as in a one-process run).
  struct OtherClient {
    std::int64_t client = 0;
    std::int64_t step = 0;
    std::vector<nlohmann::json> records;
    std::vector<std::string> scalars;
  };

  std::int64_t sequence = 0;  ///< the checkpoint's number (ckpt-NNNNNN)
  std::string config_hash;    ///< FNV-1a of the run's config.resolved.yaml
  TrainMode mode = TrainMode::local;
  std::int64_t round = 0;   ///< collaborative: rounds done
  std::int64_t client = 0;  ///< local: the client of this eval point (1-based), all before it done
  std::int64_t step = 0;    ///< local and centralized: steps done (of `client`, for local)
  std::int64_t metrics_lines = 0;
  std::int64_t scalars_lines = -1;         ///< -1: a checkpoint from before scalars.csv
  double elapsed_s = 0;                    ///< wall seconds of the run up to the checkpoint
  std::vector<OtherClient> other_clients;  ///< local over ranks; none in a one-process run

  /// The folder of a checkpoint that holds `client`'s model (local training): the checkpoint
  /// itself for `client`, `clients/client_N` for the others.
  std::filesystem::path client_folder(const std::filesystem::path& checkpoint, std::int64_t of_client) const;

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
