#include "corag/models/bert_model.hpp"

#include "corag/models/module_state_copy.hpp"
#include "corag/models/token_batch.hpp"
#include "corag/util/error.hpp"

namespace corag {

BertModelImpl::BertModelImpl(BertConfig config) : config_(std::move(config)) {
  auto embeddings = register_module("embeddings", std::make_shared<torch::nn::Module>());
  word_embeddings_ = embeddings->register_module(
      "word_embeddings",
      torch::nn::Embedding(
          torch::nn::EmbeddingOptions(config_.vocab_size, config_.hidden_size).padding_idx(config_.pad_token_id)));
  position_embeddings_ = embeddings->register_module(
      "position_embeddings", torch::nn::Embedding(config_.max_position_embeddings, config_.hidden_size));
  token_type_embeddings_ = embeddings->register_module(
      "token_type_embeddings", torch::nn::Embedding(config_.type_vocab_size, config_.hidden_size));
  embedding_norm_ = embeddings->register_module(
      "LayerNorm",
      torch::nn::LayerNorm(torch::nn::LayerNormOptions({config_.hidden_size}).eps(config_.layer_norm_eps)));
  embedding_dropout_ = register_module("embedding_dropout", torch::nn::Dropout(config_.hidden_dropout_prob));
  layers_ = torch::nn::ModuleList();
  for (std::int64_t i = 0; i < config_.num_hidden_layers; ++i) layers_->push_back(BertLayer(config_));
  register_module("encoder", std::make_shared<torch::nn::Module>())->register_module("layer", layers_);
}

torch::Tensor BertModelImpl::forward(const torch::Tensor& ids, const torch::Tensor& mask) {
  const auto length = ids.size(1);
  CORAG_CHECK(length <= config_.max_position_embeddings, "BERT input of ", length,
              " tokens exceeds max_position_embeddings ", config_.max_position_embeddings);
  const auto positions = torch::arange(length, ids.options());
  auto hidden =
      word_embeddings_(ids) + position_embeddings_(positions).unsqueeze(0) + token_type_embeddings_->weight[0];
  hidden = embedding_dropout_(embedding_norm_(hidden));
  const auto mask_bias = attention_mask_bias(mask, hidden.scalar_type());
  for (const auto& layer : *layers_) hidden = layer->as<BertLayer>()->forward(hidden, mask_bias);
  return hidden;
}

void BertModelImpl::initialize(std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto generator = at::detail::createCPUGenerator(seed);
  for (auto& item : named_parameters(true)) {
    const auto& name = item.key();
    auto& tensor = item.value();
    const bool is_norm = name.find("LayerNorm") != std::string::npos;
    if (is_norm) {
      tensor.fill_(name.size() >= 6 && name.compare(name.size() - 6, 6, "weight") == 0 ? 1.0 : 0.0);
    } else if (name.size() >= 4 && name.compare(name.size() - 4, 4, "bias") == 0) {
      tensor.zero_();
    } else {
      tensor.normal_(0.0, config_.initializer_range, generator);
    }
  }
  word_embeddings_->weight[config_.pad_token_id].zero_();
}

WeightNameRules BertModelImpl::weight_name_rules() {
  return {{"bert.", "model."}, {"pooler.", "cls.", "embeddings.position_ids"}, {}};
}

std::shared_ptr<torch::nn::Module> BertModelImpl::clone(const c10::optional<torch::Device>& device) const {
  auto copy = std::make_shared<BertModelImpl>(config_);
  copy_module_state(*this, *copy, device);
  return copy;
}

}  // namespace corag
