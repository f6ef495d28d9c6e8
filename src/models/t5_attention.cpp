#include "corag/models/t5_attention.hpp"

#include <cmath>

#include "corag/util/error.hpp"

namespace corag {

torch::Tensor relative_position_bucket(const torch::Tensor& relative_position, bool bidirectional,
                                       std::int64_t num_buckets, std::int64_t max_distance) {
  auto buckets = torch::zeros_like(relative_position);
  auto distance = relative_position;
  if (bidirectional) {
    num_buckets /= 2;
    buckets = buckets + (relative_position > 0).to(torch::kLong) * num_buckets;
    distance = relative_position.abs();
  } else {
    distance = -torch::clamp_max(relative_position, 0);
  }
  const std::int64_t max_exact = num_buckets / 2;
  const auto is_small = distance < max_exact;
  auto if_large = max_exact + (torch::log(distance.to(torch::kFloat32) / static_cast<double>(max_exact)) /
                               std::log(static_cast<double>(max_distance) / static_cast<double>(max_exact)) *
                               static_cast<double>(num_buckets - max_exact))
                                  .to(torch::kLong);
  if_large = torch::clamp_max(if_large, num_buckets - 1);
  return buckets + torch::where(is_small, distance, if_large);
}

T5AttentionImpl::T5AttentionImpl(const T5Config& config, bool has_relative_bias, bool bidirectional)
    : heads_(config.num_heads),
      d_kv_(config.d_kv),
      buckets_(config.relative_attention_num_buckets),
      max_distance_(config.relative_attention_max_distance),
      bidirectional_(bidirectional) {
  const auto inner = config.num_heads * config.d_kv;
  const auto linear = [](std::int64_t in, std::int64_t out) {
    return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false));
  };
  q_ = register_module("q", linear(config.d_model, inner));
  k_ = register_module("k", linear(config.d_model, inner));
  v_ = register_module("v", linear(config.d_model, inner));
  o_ = register_module("o", linear(inner, config.d_model));
  if (has_relative_bias) {
    relative_attention_bias_ = register_module("relative_attention_bias", torch::nn::Embedding(buckets_, heads_));
  }
  dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout_rate));
}

torch::Tensor T5AttentionImpl::split_heads(const torch::Tensor& x) const {
  return x.view({x.size(0), x.size(1), heads_, d_kv_}).transpose(1, 2);
}

torch::Tensor T5AttentionImpl::position_bias(std::int64_t query_start, std::int64_t query_length,
                                             std::int64_t key_length) const {
  CORAG_CHECK(!relative_attention_bias_.is_empty(),
              "position_bias asked of a T5 layer without relative_attention_bias");
  const auto& weight = relative_attention_bias_->weight;
  const auto options = torch::TensorOptions().dtype(torch::kLong).device(weight.device());
  const auto queries = torch::arange(query_start, query_start + query_length, options).unsqueeze(1);
  const auto keys = torch::arange(key_length, options).unsqueeze(0);
  const auto buckets = relative_position_bucket(keys - queries, bidirectional_, buckets_, max_distance_);
  return torch::embedding(weight, buckets).permute({2, 0, 1}).unsqueeze(0);
}

torch::Tensor T5AttentionImpl::forward(const torch::Tensor& hidden, const torch::Tensor& bias,
                                       const torch::Tensor& memory, AttentionCache* cache) {
  const auto query = split_heads(q_(hidden));
  torch::Tensor key, value;
  if (memory.defined()) {
    if (cache != nullptr && cache->key.defined()) {
      key = cache->key;
      value = cache->value;
    } else {
      key = split_heads(k_(memory));
      value = split_heads(v_(memory));
    }
  } else {
    key = split_heads(k_(hidden));
    value = split_heads(v_(hidden));
    if (cache != nullptr && cache->key.defined()) {
      key = torch::cat({cache->key, key}, 2);
      value = torch::cat({cache->value, value}, 2);
    }
  }
  if (cache != nullptr) {
    cache->key = key;
    cache->value = value;
  }
  const auto scores = torch::matmul(query, key.transpose(-1, -2)) + bias;
  const auto weights = dropout_(torch::softmax(scores.to(torch::kFloat32), -1).to(scores.scalar_type()));
  const auto context = torch::matmul(weights, value).transpose(1, 2);
  return o_(context.reshape({hidden.size(0), hidden.size(1), heads_ * d_kv_}));
}

}  // namespace corag
