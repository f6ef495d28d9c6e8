#pragma once

#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/pimpl.h>

#include "corag/models/t5_block.hpp"

namespace corag {

/// What a decoder keeps between greedy steps: one cache per block and the positions seen so far.
struct T5DecoderCache {
  std::vector<T5BlockCache> blocks;
  std::int64_t length = 0;
};

/// HF `T5Stack` (encoder or decoder): token embedding (the model's shared matrix, not a
/// parameter of the stack), `block.i`, `final_layer_norm`. The relative position bias is
/// computed by block 0 and shared by all blocks (bidirectional in the encoder, causal in the
/// decoder, where future positions are also masked).
class T5StackImpl : public torch::nn::Module {
 public:
  T5StackImpl(const T5Config& config, bool is_decoder);

  /// Encoder: ids, mask [batch, seq] → [batch, seq, d_model].
  torch::Tensor encode(const torch::Tensor& embedding, const torch::Tensor& ids, const torch::Tensor& mask);
  /// Decoder: ids [batch, q] (the new positions only when `cache` holds earlier ones), memory
  /// [batch, m, d_model] with memory_mask [batch, m] → [batch, q, d_model].
  torch::Tensor decode(const torch::Tensor& embedding, const torch::Tensor& ids, const torch::Tensor& memory,
                       const torch::Tensor& memory_mask, T5DecoderCache* cache = nullptr);

 private:
  torch::Tensor run_blocks(torch::Tensor hidden, const torch::Tensor& self_bias, const torch::Tensor& memory,
                           const torch::Tensor& memory_bias, T5DecoderCache* cache);

  std::vector<T5Block> blocks_;
  T5LayerNorm final_layer_norm_{nullptr};
  torch::nn::Dropout dropout_{nullptr};
};
TORCH_MODULE(T5Stack);

}  // namespace corag
