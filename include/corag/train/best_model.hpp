#pragma once

#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/config/experiment_config.hpp"

namespace corag {

/// `RUN/best/` (train.keep_best): the model of the point a run reports, by summarize_run's rule
/// (the best client-averaged test EM, micro-averaged for centralized; ties to the earlier point),
/// as plain HF directories that HF transformers and `corag eval --checkpoint` read: `reader/`,
/// `retriever/` (unless closed-book) and `best.json` (the point, its EM and F1, the checkpoint
/// the models came from). A local run trains a model per client, so its `best/` holds
/// `client_N/reader` ... for every client at the reported step; until the run ends each client's
/// eval-point models wait in `RUN/best-candidates/`, since the reported step is the best of the
/// client average, known only once the last client has trained.
/// Files are hard links into the checkpoint they came from (link_tree), so keeping the best
/// costs no disk while that checkpoint is kept and survives its pruning. Every write is
/// atomic and `offer` is idempotent, so a kill anywhere and `--resume` keep `best/` right.
class BestModel {
 public:
  BestModel(std::filesystem::path run_dir, TrainMode mode);

  /// After the checkpoint of an eval point is written (and once more on resuming from it):
  /// `point` is its `round`, or `step` (and `client` for local); `records` the run's
  /// metrics.jsonl records up to and including that point.
  void offer(const std::vector<nlohmann::json>& records, const std::filesystem::path& checkpoint,
             const nlohmann::json& point) const;
  /// At the end of the run, with its summary: a local run's `best/` from the candidates of the
  /// reported step (the candidates are then removed).
  void finish(const nlohmann::json& summary) const;

  std::filesystem::path dir() const { return run_dir_ / "best"; }

 private:
  std::filesystem::path candidates_dir() const { return run_dir_ / "best-candidates"; }
  /// Writes best/ from `models` (folders holding reader/ and retriever/, by name inside best/).
  void write(const std::vector<std::pair<std::filesystem::path, std::filesystem::path>>& models,
             const nlohmann::json& description) const;

  std::filesystem::path run_dir_;
  TrainMode mode_;
};

}  // namespace corag
