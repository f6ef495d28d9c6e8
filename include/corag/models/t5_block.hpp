#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/pimpl.h>

#include "corag/models/t5_attention.hpp"
#include "corag/models/t5_config.hpp"
#include "corag/models/t5_feed_forward.hpp"
#include "corag/models/t5_layer_norm.hpp"

namespace corag {

/// The per-layer cache of a decoder block.
struct T5BlockCache {
  AttentionCache self;
  AttentionCache cross;
};

/// HF `T5Block`: pre-norm residual sublayers `layer.0` (SelfAttention), in the decoder `layer.1`
/// (EncDecAttention), then the feed-forward `layer.{1|2}` (DenseReluDense), each with its
/// `layer_norm`.
class T5BlockImpl : public torch::nn::Module {
 public:
  T5BlockImpl(const T5Config& config, bool is_decoder, bool has_relative_bias);

  /// hidden [batch, q, d_model]; self_bias [.., heads|1, q, k]; for the decoder, memory
  /// [batch, m, d_model] and memory_bias [batch, 1, 1, m].
  torch::Tensor forward(torch::Tensor hidden, const torch::Tensor& self_bias, const torch::Tensor& memory = {},
                        const torch::Tensor& memory_bias = {}, T5BlockCache* cache = nullptr);

  T5Attention& self_attention() { return self_attention_; }

 private:
  T5Attention self_attention_{nullptr}, cross_attention_{nullptr};
  T5LayerNorm self_norm_{nullptr}, cross_norm_{nullptr}, feed_forward_norm_{nullptr};
  T5FeedForward feed_forward_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(T5Block);

}  // namespace corag
