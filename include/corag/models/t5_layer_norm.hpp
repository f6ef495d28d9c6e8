#pragma once

#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>

namespace corag {

/// T5's RMS layer norm (no mean, no bias), computed in fp32 and cast back to the weight's dtype
/// when that is fp16/bf16, as HF `T5LayerNorm`. Parameter: `weight` [dim].
class T5LayerNormImpl : public torch::nn::Module {
 public:
  T5LayerNormImpl(std::int64_t dim, double eps);
  torch::Tensor forward(const torch::Tensor& hidden);

 private:
  torch::Tensor weight_;
  double eps_;
};
TORCH_MODULE(T5LayerNorm);

}  // namespace corag
