#include "corag/models/t5_feed_forward.hpp"

namespace corag {

T5FeedForwardImpl::T5FeedForwardImpl(const T5Config& config) : activation_(config.activation) {
  const auto linear = [](std::int64_t in, std::int64_t out) {
    return torch::nn::Linear(torch::nn::LinearOptions(in, out).bias(false));
  };
  if (config.gated) {
    wi_0_ = register_module("wi_0", linear(config.d_model, config.d_ff));
    wi_1_ = register_module("wi_1", linear(config.d_model, config.d_ff));
  } else {
    wi_ = register_module("wi", linear(config.d_model, config.d_ff));
  }
  wo_ = register_module("wo", linear(config.d_ff, config.d_model));
  dropout_ = register_module("dropout", torch::nn::Dropout(config.dropout_rate));
}

torch::Tensor T5FeedForwardImpl::activate(const torch::Tensor& x) const {
  switch (activation_) {
    case T5Activation::kRelu:
      return torch::relu(x);
    case T5Activation::kGeluExact:
      return torch::gelu(x);
    case T5Activation::kGeluTanh:
      return torch::gelu(x, "tanh");
    case T5Activation::kSilu:
      return torch::silu(x);
  }
  return x;
}

torch::Tensor T5FeedForwardImpl::forward(const torch::Tensor& hidden) {
  const auto expanded = wi_.is_empty() ? activate(wi_0_(hidden)) * wi_1_(hidden) : activate(wi_(hidden));
  return wo_(dropout_(expanded));
}

}  // namespace corag
