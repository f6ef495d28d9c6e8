#pragma once

#include <cstdint>
#include <vector>

#include "corag/models/t5_model.hpp"

namespace corag {

/// Batched greedy decoding of a T5 decoder over `memory` [batch, m, d_model] (mask
/// [batch, m]): starts from decoder_start_token_id, takes the argmax at each step, and stops a
/// row at `</s>` (padding it afterwards) and all rows after `max_new_tokens`. With the KV cache,
/// each step runs the decoder on the newest token only: self-attention keys/values grow by one
/// position, cross-attention keys/values are computed once. Without it, every step recomputes
/// the whole prefix (the reference the cache must reproduce exactly). Returns each row's ids
/// without the start token, ending with `</s>` when it was produced.
std::vector<std::vector<std::int64_t>> greedy_decode(T5ModelImpl& model, const torch::Tensor& memory,
                                                     const torch::Tensor& memory_mask, std::size_t max_new_tokens,
                                                     bool use_cache = true);

}  // namespace corag
