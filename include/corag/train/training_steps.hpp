#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "corag/train/rag_stepper.hpp"
#include "corag/util/run_progress.hpp"

namespace corag {

/// The training steps of a run, as every regime takes them: each step's randomness derived from
/// runtime.seed, the trainee ("client3", "all") and the step; the run's progress; and a
/// scalars.csv row per step (who, round, step, losses, learning rates, gradient norm), kept
/// until the run writes it.
class TrainingSteps {
 public:
  /// scalars.csv's first line.
  static constexpr const char* kScalarsHeader =
      "who,round,step,loss_reader,loss_retriever,lr_reader,lr_retriever,grad_norm";

  explicit TrainingSteps(std::uint64_t seed);

  /// The run's steps on this rank: `total`, of which `done_before` were taken by an earlier
  /// invocation (--resume); before the first step.
  void start(std::uint64_t total, std::uint64_t done_before);
  /// One optimizer step of `who` as its step `step` (0-based; of FedAvg round `round`, or 0).
  /// An error names `who` and that the last good checkpoint is kept.
  StepLosses take(RagStepper& stepper, const std::vector<TrainExample>& batch, std::int64_t step,
                  const std::string& who, std::int64_t round);
  /// A progress bar's status: the step's losses, and the run's share done and ETA.
  std::string status(const StepLosses& losses) const;
  /// The scalars.csv rows of the steps since the last call, in the order they were taken.
  std::vector<std::string> take_scalars();

 private:
  std::uint64_t seed_;
  std::optional<RunProgress> progress_;
  std::vector<std::string> scalars_;
};

}  // namespace corag
