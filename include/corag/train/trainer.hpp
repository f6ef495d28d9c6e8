#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/config/experiment_config.hpp"
#include "corag/train/collective.hpp"

namespace corag {

struct TrainRunOptions {
  std::filesystem::path run_dir;
  std::string resolved_config_yaml;  ///< config.resolved.yaml's text (its hash guards --resume)
  bool resume = false;               ///< continue from the last complete checkpoint
  std::int64_t stop_after = 0;       ///< stop after writing this many checkpoints (0: run to the end)
  /// The ranks the run is spread over (null: this process alone). Collaborative training gives
  /// each rank the clients i with (i - 1) % world_size == rank, to train and to evaluate;
  /// centralized training is data-parallel (RagStepper) and each rank evaluates its clients;
  /// local training runs waves of up to world_size clients at once, client j of a wave on rank j.
  /// Rank 0 alone writes into run_dir (but each rank saves the client models it trained: with
  /// federated.save_client_models, and into local training's checkpoints), and the results
  /// equal a one-process run's up to the order of sums.
  Collective* collective = nullptr;
  /// The device this rank uses in place of runtime.device (empty: runtime.device), as a
  /// launcher binds it; not part of the config, so a run resumes on other devices or ranks.
  std::string device;
};

/// `corag train`: trains in `config.train.mode` (DESIGN.md "Algorithms", paper §3.2):
/// - `local`: each client alone from the pretrained weights (train.steps, eval every
///   train.eval_every steps);
/// - `centralized`: one model on the union of the clients' train questions, each retrieving
///   from its own client's train store;
/// - `collaborative`: FedAvg, `federated.rounds` rounds of `federated.local_epochs` epochs per
///   client from the global weights, aggregated weighted by example counts; evaluated after
///   every round.
/// `model.retrieval: false` trains the closed-book reader alone. Every eval point scores each
/// client on its own test store (and dev, with eval.dev) and appends to `metrics.jsonl`, writes
/// `predictions/`, then a checkpoint. The run directory gets `config.resolved.yaml`,
/// `summary.json` and `table.md`. Randomness is derived from runtime.seed and the step/round
/// counters, so `resume` reaches exactly the metrics of an uninterrupted run. Returns the
/// summary, or null when `stop_after` ended the run early.
nlohmann::json run_training(const ExperimentConfig& config, const TrainRunOptions& options);

/// The same experiment once per seed (runtime.seed = each of `seeds`), each a run of its own
/// in `options.run_dir/seed-N` (with its own config.resolved.yaml; resumable like one run), then
/// `options.run_dir/seeds.json` and `seeds.md` (`summarize_seeds`: mean and standard deviation
/// over the seeds). Returns the seeds summary, or null when `stop_after` ended a run early.
nlohmann::json run_training_seeds(const ExperimentConfig& config, const TrainRunOptions& options,
                                  const std::vector<std::int64_t>& seeds);

}  // namespace corag
