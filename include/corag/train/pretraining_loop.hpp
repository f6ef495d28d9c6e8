#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "corag/train/linear_schedule.hpp"
#include "corag/util/progress_bar.hpp"

namespace torch::optim {
class AdamW;
}

namespace corag {

/// The optimisation both pretraining objectives share: AdamW (weight decay 0.01) with 5 %
/// warmup and linear decay, gradient clipping at 1, a stop on a non-finite loss, progress and
/// the loss logged every tenth of the run.
class PretrainingLoop {
 public:
  PretrainingLoop(std::string name, std::vector<torch::Tensor> parameters, double lr, std::int64_t steps);
  ~PretrainingLoop();

  /// Backward through `loss` and one update as step `step` (0-based).
  void update(const torch::Tensor& loss, std::int64_t step);
  /// Mean loss of the last tenth of the steps.
  double finish();

 private:
  std::string name_;
  std::vector<torch::Tensor> parameters_;
  double lr_;
  std::int64_t steps_;
  LinearSchedule schedule_;
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  ProgressBar progress_;
  double tail_loss_ = 0;
  std::int64_t tail_steps_ = 0;
};

}  // namespace corag
