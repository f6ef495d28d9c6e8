#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

namespace corag {

/// Token ids of several texts padded to the longest: ids and mask are [batch, seq] int64, the
/// mask 1 on tokens and 0 on padding.
struct TokenBatch {
  torch::Tensor ids;
  torch::Tensor mask;
};

/// Pads `sequences` on the right with `pad_id` to the longest of them (at least one column).
TokenBatch pad_token_batch(const std::vector<std::vector<std::int64_t>>& sequences, std::int64_t pad_id,
                           const torch::Device& device);

}  // namespace corag

namespace corag {

/// The additive attention bias of a padding mask [batch, seq]: 0 where mask is 1 and the
/// lowest finite value of `dtype` where it is 0, shaped [batch, 1, 1, seq] (as in HF).
torch::Tensor attention_mask_bias(const torch::Tensor& mask, torch::ScalarType dtype);

/// The lowest finite value of a floating dtype (fp32, bf16, fp16, fp64).
double lowest_value(torch::ScalarType dtype);

}  // namespace corag
