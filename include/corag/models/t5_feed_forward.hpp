#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "corag/models/t5_config.hpp"

namespace corag {

/// HF `T5DenseActDense` (`wi`, `wo`) or, for gated configs, `T5DenseGatedActDense`
/// (`act(wi_0 x) * wi_1 x`, then `wo`); dropout after the activation; no biases.
class T5FeedForwardImpl : public torch::nn::Module {
 public:
  explicit T5FeedForwardImpl(const T5Config& config);
  torch::Tensor forward(const torch::Tensor& hidden);

 private:
  torch::Tensor activate(const torch::Tensor& x) const;

  T5Activation activation_;
  torch::nn::Linear wi_{nullptr}, wi_0_{nullptr}, wi_1_{nullptr}, wo_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(T5FeedForward);

}  // namespace corag
