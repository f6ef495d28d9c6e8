#include "corag/models/t5_layer_norm.hpp"

namespace corag {

T5LayerNormImpl::T5LayerNormImpl(std::int64_t dim, double eps)
    : weight_(register_parameter("weight", torch::ones({dim}))), eps_(eps) {}

torch::Tensor T5LayerNormImpl::forward(const torch::Tensor& hidden) {
  const auto variance = hidden.to(torch::kFloat32).pow(2).mean(-1, /*keepdim=*/true);
  auto normalized = hidden * torch::rsqrt(variance + eps_);
  if (weight_.scalar_type() == torch::kBFloat16 || weight_.scalar_type() == torch::kFloat16) {
    normalized = normalized.to(weight_.scalar_type());
  }
  return weight_ * normalized;
}

}  // namespace corag
