#pragma once

#include <torch/nn/module.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "corag/models/t5_config.hpp"

namespace corag {

/// T5's bucketing of relative positions (`memory - query`), as HF
/// `T5Attention._relative_position_bucket`: half the buckets per direction when bidirectional
/// (positive offsets in the upper half), exact buckets below half of them, logarithmic ones up
/// to `max_distance`, everything beyond in the last bucket. Causal: only offsets <= 0 count.
torch::Tensor relative_position_bucket(const torch::Tensor& relative_position, bool bidirectional,
                                       std::int64_t num_buckets, std::int64_t max_distance);

/// Keys and values an attention layer keeps between decoding steps: for self-attention they grow
/// by one position per step; for cross-attention they are computed once from the encoder output.
struct AttentionCache {
  torch::Tensor key;    ///< [batch, heads, positions, d_kv]
  torch::Tensor value;  ///< [batch, heads, positions, d_kv]
};

/// HF `T5Attention`: projections q, k, v, o without bias, no 1/sqrt(d) scaling, softmax in fp32,
/// and, in the first layer of a stack, `relative_attention_bias` [buckets, heads].
class T5AttentionImpl : public torch::nn::Module {
 public:
  T5AttentionImpl(const T5Config& config, bool has_relative_bias, bool bidirectional);

  /// hidden [batch, q, d_model]; bias broadcastable to [batch, heads, q, k] (position bias plus
  /// mask). Self-attention when `memory` is undefined, else cross-attention over memory
  /// [batch, k, d_model]. With `cache`, self-attention appends this step's keys/values to it and
  /// cross-attention computes them on the first call only. → [batch, q, d_model].
  torch::Tensor forward(const torch::Tensor& hidden, const torch::Tensor& bias, const torch::Tensor& memory = {},
                        AttentionCache* cache = nullptr);

  /// Relative position bias [1, heads, query_length, key_length] for queries at positions
  /// query_start ... query_start + query_length - 1 over keys 0 ... key_length - 1.
  torch::Tensor position_bias(std::int64_t query_start, std::int64_t query_length, std::int64_t key_length) const;

 private:
  torch::Tensor split_heads(const torch::Tensor& x) const;

  std::int64_t heads_, d_kv_, buckets_, max_distance_;
  bool bidirectional_;
  torch::nn::Linear q_{nullptr}, k_{nullptr}, v_{nullptr}, o_{nullptr};
  torch::nn::Embedding relative_attention_bias_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(T5Attention);

}  // namespace corag
