#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <vector>

#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/train/collective.hpp"
#include "corag/train/linear_schedule.hpp"
#include "corag/train/passage_retrieval.hpp"
#include "corag/train/rag_model.hpp"
#include "corag/util/qa_reader.hpp"

namespace torch::optim {
class AdamW;
}

namespace corag {

/// One training question and the store it retrieves from (null when closed-book).
struct TrainExample {
  const QaRecord* qa = nullptr;
  const DenseStore* store = nullptr;
};

/// Mean losses of one optimizer step.
struct StepLosses {
  double reader = 0;     ///< FiD token NLL of the target (mean over the batch's target tokens)
  double retriever = 0;  ///< perplexity-distillation KL (mean over questions x k); 0 when closed-book
};

/// The retrieval half of a training step.
struct TrainingRetrieval {
  RetrievedPassages retrieved;  ///< top-k per question, searched with eval-mode query embeddings
  torch::Tensor scores;         ///< [n, k] q·p / sqrt(dim), q in train mode with gradient; 0 in empty slots
};

/// Seconds spent per phase, summed over steps (what `bench_train` reports).
struct StepTimings {
  double retrieval = 0;     ///< query encoding with gradient, search, passage lookup
  double distillation = 0;  ///< per-passage reader NLL without gradient (the distillation target)
  double forward = 0;       ///< FiD reader forward + loss
  double backward = 0;      ///< backward through reader and query encoder
  double optimizer = 0;     ///< clipping + AdamW update
  std::int64_t steps = 0;
};

/// Optimizer steps with Atlas semantics (DESIGN.md "Algorithms"): per question retrieve top-k
/// with the current query encoder in eval mode (the query text of model.retriever_query), embed
/// the query again in train mode and score q·p/sqrt(dim) with gradient through the query
/// encoder only, reader FiD loss on `<extra_id_0> {answer}</s>` (a gold answer drawn per step,
/// or the first), perplexity distillation against the per-passage reader NLL with
/// KLDivLoss's mean over batch x k, sum; AdamW (eps train.adam_epsilon) with Atlas's linear
/// schedule, gradient clipping over both models jointly, and gradient accumulation over
/// micro-batches that gives the same update as the whole batch at once.
///
/// Data-parallel over the ranks of `collective` (when given, with more than one rank): every
/// rank takes the same batch, accumulates the micro-batches j with j % N == its rank (micro
/// batches of train.micro_batch_size, or of ceil(batch / N) when it is 0), then the gradients
/// and losses are summed over the ranks before the identical update on every rank. The parts of
/// a step (micro-batches, ranks) are summed in fp64 and rounded to fp32 once, and each
/// micro-batch's dropout is seeded from the step seed and its position, so the update equals
/// the one-process step's with the same micro-batches.
class RagStepper {
 public:
  RagStepper(RagModel& model, const ExperimentConfig& config, const Runtime& runtime, LinearSchedule schedule,
             Collective* collective = nullptr);
  ~RagStepper();

  /// One update on `batch` as optimizer step `step` (which sets the learning rate). All of the
  /// step's randomness (answers drawn, dropout) comes from `step_seed`. A NaN or infinite loss
  /// is a corag::Error, thrown before the weights change.
  StepLosses step(const std::vector<TrainExample>& batch, std::int64_t step, std::uint64_t step_seed);

  /// Atlas's retrieval for `examples` (model.retriever_query text): the query encoder embeds the
  /// queries in eval mode without gradient for the search, then again in its current mode
  /// (train mode in a step: dropout on) with gradient for the scores.
  TrainingRetrieval retrieve(const std::vector<TrainExample>& examples);

  /// AdamW's step count and moments as safetensors (`group{g}.param{i}.step|exp_avg|exp_avg_sq`,
  /// by parameter group and position), written atomically, byte-identical for identical state;
  /// and read back for a resumed run.
  void save_optimizer(const std::filesystem::path& path) const;
  void load_optimizer(const std::filesystem::path& path);

  const StepTimings& timings() const { return timings_; }
  /// The global L2 norm of the last step's gradients over both models, before clipping.
  double last_gradient_norm() const { return last_gradient_norm_; }
  /// The AdamW (group 0: the reader, group 1: the query encoder), with the rates of the last step.
  const torch::optim::AdamW& optimizer() const { return *optimizer_; }

 private:
  /// The training answer of each example (drawn, or the first) as target ids; seeds the step's
  /// dropout too, so that all of a step's randomness comes from `step_seed`.
  std::vector<std::vector<std::int64_t>> draw_targets(const std::vector<TrainExample>& batch, std::uint64_t step_seed);
  /// Examples [begin, end) of `batch`: retrieval and the distillation loss (with a retriever), the
  /// reader's loss over `target_tokens` (the whole batch's), backward. Gradients accumulate;
  /// returns the part's loss values. `mark` times the phases.
  StepLosses accumulate_micro_batch(const std::vector<TrainExample>& batch,
                                    const std::vector<std::vector<std::int64_t>>& targets, std::size_t begin,
                                    std::size_t end, std::size_t target_tokens, std::int64_t step,
                                    std::chrono::steady_clock::time_point& mark);
  /// Measures and clips the gradients, sets step `step`'s learning rates, steps AdamW.
  void update_weights(std::int64_t step);

  RagModel& model_;
  const ExperimentConfig& config_;
  Runtime runtime_;
  LinearSchedule schedule_;
  Collective* collective_;  ///< null: this process alone
  std::vector<torch::Tensor> parameters_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  StepTimings timings_;
  double last_gradient_norm_ = 0;
};

}  // namespace corag
