#include "corag/models/bert_layer.hpp"

#include <cmath>

namespace corag {
namespace {

std::shared_ptr<torch::nn::Module> group(torch::nn::Module& parent, const std::string& name) {
  return parent.register_module(name, std::make_shared<torch::nn::Module>());
}

torch::nn::LayerNorm layer_norm(const BertConfig& config) {
  return torch::nn::LayerNorm(torch::nn::LayerNormOptions({config.hidden_size}).eps(config.layer_norm_eps));
}

}  // namespace

BertLayerImpl::BertLayerImpl(const BertConfig& config) : heads_(config.num_attention_heads) {
  const auto hidden = config.hidden_size;
  auto attention = group(*this, "attention");
  auto self = group(*attention, "self");
  query_ = self->register_module("query", torch::nn::Linear(hidden, hidden));
  key_ = self->register_module("key", torch::nn::Linear(hidden, hidden));
  value_ = self->register_module("value", torch::nn::Linear(hidden, hidden));
  auto attention_output = group(*attention, "output");
  attention_dense_ = attention_output->register_module("dense", torch::nn::Linear(hidden, hidden));
  attention_norm_ = attention_output->register_module("LayerNorm", layer_norm(config));
  intermediate_ =
      group(*this, "intermediate")->register_module("dense", torch::nn::Linear(hidden, config.intermediate_size));
  auto output = group(*this, "output");
  output_dense_ = output->register_module("dense", torch::nn::Linear(config.intermediate_size, hidden));
  output_norm_ = output->register_module("LayerNorm", layer_norm(config));
  // Dropouts have no parameters; registering them keeps train()/eval() in charge of them.
  attention_dropout_ = register_module("attention_dropout", torch::nn::Dropout(config.attention_probs_dropout_prob));
  hidden_dropout_ = register_module("hidden_dropout", torch::nn::Dropout(config.hidden_dropout_prob));
}

torch::Tensor BertLayerImpl::forward(const torch::Tensor& hidden, const torch::Tensor& mask_bias) {
  const auto batch = hidden.size(0), length = hidden.size(1), width = hidden.size(2);
  const auto head_dim = width / heads_;
  const auto split_heads = [&](const torch::Tensor& x) {
    return x.view({batch, length, heads_, head_dim}).transpose(1, 2);
  };
  const auto q = split_heads(query_(hidden));
  const auto k = split_heads(key_(hidden));
  const auto v = split_heads(value_(hidden));
  auto scores = torch::matmul(q, k.transpose(-1, -2)) / std::sqrt(static_cast<double>(head_dim)) + mask_bias;
  auto weights = attention_dropout_(torch::softmax(scores, -1));
  auto context = torch::matmul(weights, v).transpose(1, 2).reshape({batch, length, width});
  auto attended = attention_norm_(hidden_dropout_(attention_dense_(context)) + hidden);
  auto expanded = torch::gelu(intermediate_(attended));
  return output_norm_(hidden_dropout_(output_dense_(expanded)) + attended);
}

}  // namespace corag
