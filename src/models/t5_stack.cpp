#include "corag/models/t5_stack.hpp"

#include "corag/models/token_batch.hpp"
#include "corag/util/error.hpp"

namespace corag {

T5StackImpl::T5StackImpl(const T5Config& config, bool is_decoder) {
  auto block_list = register_module("block", torch::nn::ModuleList());
  const auto layers = is_decoder ? config.num_decoder_layers : config.num_layers;
  for (std::int64_t i = 0; i < layers; ++i) {
    blocks_.emplace_back(config, is_decoder, /*has_relative_bias=*/i == 0);
    block_list->push_back(blocks_.back());
  }
  final_layer_norm_ = register_module("final_layer_norm", T5LayerNorm(config.d_model, config.layer_norm_epsilon));
  dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout_rate));
}

torch::Tensor T5StackImpl::run_blocks(torch::Tensor hidden, const torch::Tensor& self_bias, const torch::Tensor& memory,
                                      const torch::Tensor& memory_bias, T5DecoderCache* cache) {
  if (cache != nullptr && cache->blocks.empty()) cache->blocks.resize(blocks_.size());
  for (std::size_t i = 0; i < blocks_.size(); ++i) {
    hidden =
        blocks_[i]->forward(hidden, self_bias, memory, memory_bias, cache != nullptr ? &cache->blocks[i] : nullptr);
  }
  return dropout_(final_layer_norm_(hidden));
}

torch::Tensor T5StackImpl::encode(const torch::Tensor& embedding, const torch::Tensor& ids, const torch::Tensor& mask) {
  const auto hidden = dropout_(torch::embedding(embedding, ids));
  const auto length = ids.size(1);
  const auto bias = blocks_.front()->self_attention()->position_bias(0, length, length).to(hidden.scalar_type()) +
                    attention_mask_bias(mask, hidden.scalar_type());
  return run_blocks(hidden, bias, torch::Tensor(), torch::Tensor(), nullptr);
}

torch::Tensor T5StackImpl::decode(const torch::Tensor& embedding, const torch::Tensor& ids, const torch::Tensor& memory,
                                  const torch::Tensor& memory_mask, T5DecoderCache* cache) {
  CORAG_CHECK(memory.defined() && memory_mask.defined(), "the T5 decoder needs the encoder output and its mask");
  const auto hidden = dropout_(torch::embedding(embedding, ids));
  const auto dtype = hidden.scalar_type();
  const std::int64_t past = cache != nullptr ? cache->length : 0;
  const auto queries = ids.size(1);
  const auto keys = past + queries;
  auto self_bias = blocks_.front()->self_attention()->position_bias(past, queries, keys).to(dtype);
  if (queries > 1) {
    // Position bias buckets treat future keys like the present one, so they are masked here.
    const auto options = torch::TensorOptions().dtype(torch::kLong).device(hidden.device());
    const auto future = torch::arange(keys, options).unsqueeze(0) > torch::arange(past, keys, options).unsqueeze(1);
    self_bias = self_bias + future.to(dtype).mul(lowest_value(dtype));
  }
  const auto output = run_blocks(hidden, self_bias, memory, attention_mask_bias(memory_mask, dtype), cache);
  if (cache != nullptr) cache->length = keys;
  return output;
}

}  // namespace corag
