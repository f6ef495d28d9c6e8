#include "corag/models/t5_block.hpp"

#include <torch/nn/modules/container/modulelist.h>

namespace corag {

T5BlockImpl::T5BlockImpl(const T5Config& config, bool is_decoder, bool has_relative_bias) {
  auto sublayers = register_module("layer", torch::nn::ModuleList());
  const auto add_sublayer = [&] {
    auto sublayer = std::make_shared<torch::nn::Module>();
    sublayers->push_back(sublayer);
    return sublayer;
  };
  const auto norm = [&] { return T5LayerNorm(config.d_model, config.layer_norm_epsilon); };

  auto self = add_sublayer();
  self_attention_ = self->register_module("SelfAttention", T5Attention(config, has_relative_bias, !is_decoder));
  self_norm_ = self->register_module("layer_norm", norm());
  if (is_decoder) {
    auto cross = add_sublayer();
    cross_attention_ = cross->register_module("EncDecAttention", T5Attention(config, false, true));
    cross_norm_ = cross->register_module("layer_norm", norm());
  }
  auto feed_forward = add_sublayer();
  feed_forward_ = feed_forward->register_module("DenseReluDense", T5FeedForward(config));
  feed_forward_norm_ = feed_forward->register_module("layer_norm", norm());
  dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout_rate));
}

torch::Tensor T5BlockImpl::forward(torch::Tensor hidden, const torch::Tensor& self_bias, const torch::Tensor& memory,
                                   const torch::Tensor& memory_bias, T5BlockCache* cache) {
  hidden = hidden + dropout_(self_attention_(self_norm_(hidden), self_bias, torch::Tensor(),
                                             cache != nullptr ? &cache->self : nullptr));
  if (!cross_attention_.is_empty()) {
    hidden = hidden + dropout_(cross_attention_(cross_norm_(hidden), memory_bias, memory,
                                                cache != nullptr ? &cache->cross : nullptr));
  }
  return hidden + dropout_(feed_forward_(feed_forward_norm_(hidden)));
}

}  // namespace corag
