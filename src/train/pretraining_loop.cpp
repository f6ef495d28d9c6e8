#include "corag/train/pretraining_loop.hpp"

#include <cmath>

#include <spdlog/spdlog.h>
#include <torch/optim/adamw.h>

#include "corag/util/error.hpp"

namespace corag {

PretrainingLoop::PretrainingLoop(std::string name, std::vector<torch::Tensor> parameters, double lr, std::int64_t steps)
    : name_(std::move(name)),
      parameters_(std::move(parameters)),
      lr_(lr),
      steps_(steps),
      // The demo's own pretraining warms up from and decays to zero (floor ratio 0).
      schedule_(std::max<std::int64_t>(1, steps / 20), std::max<std::int64_t>(1, steps), 0.0),
      optimizer_(std::make_unique<torch::optim::AdamW>(parameters_, torch::optim::AdamWOptions(lr).weight_decay(0.01))),
      progress_(name_, static_cast<std::uint64_t>(steps), "steps") {}

PretrainingLoop::~PretrainingLoop() = default;

void PretrainingLoop::update(const torch::Tensor& loss, std::int64_t step) {
  const double value = loss.item<double>();
  CORAG_CHECK(std::isfinite(value), name_, " step ", step + 1, ": the loss is not finite");
  optimizer_->zero_grad();
  loss.backward();
  torch::nn::utils::clip_grad_norm_(parameters_, 1.0);
  for (auto& group : optimizer_->param_groups()) {
    static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr_ * schedule_.factor(step));
  }
  optimizer_->step();
  const auto tenth = std::max<std::int64_t>(1, steps_ / 10);
  if (step >= steps_ - tenth) {
    tail_loss_ += value;
    ++tail_steps_;
  }
  if ((step + 1) % tenth == 0) spdlog::info("{}: step {}/{}, loss {:.4f}", name_, step + 1, steps_, value);
  progress_.advance();
}

double PretrainingLoop::finish() {
  progress_.finish();
  return tail_steps_ > 0 ? tail_loss_ / static_cast<double>(tail_steps_) : 0.0;
}

}  // namespace corag
