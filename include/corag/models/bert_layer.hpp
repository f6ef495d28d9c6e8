#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/container/any.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/modules/normalization.h>
#include <torch/nn/pimpl.h>

#include "corag/models/bert_config.hpp"

namespace corag {

/// One post-LayerNorm transformer layer of HF `BertLayer`, with its submodules registered under
/// the HF names (`attention.self.query`, `attention.output.LayerNorm`, `intermediate.dense`, ...).
class BertLayerImpl : public torch::nn::Module {
 public:
  explicit BertLayerImpl(const BertConfig& config);

  /// hidden [batch, seq, hidden]; mask_bias [batch, 1, 1, seq] (0 or the dtype's lowest value).
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& mask_bias);

 private:
  std::int64_t heads_;
  torch::nn::Linear query_{nullptr}, key_{nullptr}, value_{nullptr}, attention_dense_{nullptr};
  torch::nn::LayerNorm attention_norm_{nullptr};
  torch::nn::Linear intermediate_{nullptr}, output_dense_{nullptr};
  torch::nn::LayerNorm output_norm_{nullptr};
  torch::nn::Dropout attention_dropout_{nullptr}, hidden_dropout_{nullptr};
};
TORCH_MODULE(BertLayer);

}  // namespace corag
