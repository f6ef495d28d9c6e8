#include "corag/models/t5_model.hpp"

#include <cmath>

#include "corag/models/module_state_copy.hpp"
#include "corag/util/error.hpp"

namespace corag {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

T5ModelImpl::T5ModelImpl(T5Config config) : config_(std::move(config)) {
  // Parameter names may not contain dots, so `shared.weight` lives in a module of its own.
  shared_ = register_module("shared", std::make_shared<torch::nn::Module>())
                ->register_parameter("weight", torch::zeros({config_.vocab_size, config_.d_model}));
  encoder_ = register_module("encoder", T5Stack(config_, /*is_decoder=*/false));
  decoder_ = register_module("decoder", T5Stack(config_, /*is_decoder=*/true));
  if (!config_.tie_word_embeddings) {
    lm_head_ = register_module(
        "lm_head", torch::nn::Linear(torch::nn::LinearOptions(config_.d_model, config_.vocab_size).bias(false)));
  }
}

torch::Tensor T5ModelImpl::encode(const torch::Tensor& ids, const torch::Tensor& mask) {
  return encoder_->encode(shared_, ids, mask);
}

torch::Tensor T5ModelImpl::decode(const torch::Tensor& decoder_ids, const torch::Tensor& memory,
                                  const torch::Tensor& memory_mask, T5DecoderCache* cache) {
  auto output = decoder_->decode(shared_, decoder_ids, memory, memory_mask, cache);
  if (config_.scale_decoder_outputs) output = output * std::pow(static_cast<double>(config_.d_model), -0.5);
  return lm_head_.is_empty() ? torch::matmul(output, shared_.t()) : lm_head_(output);
}

void T5ModelImpl::initialize(std::uint64_t seed, double relative_bias_std) {
  torch::NoGradGuard no_grad;
  auto generator = at::detail::createCPUGenerator(seed);
  const double factor = config_.initializer_factor;
  const double d_model = static_cast<double>(config_.d_model);
  const double d_ff = static_cast<double>(config_.d_ff);
  const double d_kv = static_cast<double>(config_.d_kv);
  const double heads = static_cast<double>(config_.num_heads);
  for (auto& item : named_parameters(true)) {
    const auto& name = item.key();
    double std_dev = factor * std::pow(d_model, -0.5);  // wi, wi_0, wi_1, k, v, relative_attention_bias
    if (ends_with(name, "layer_norm.weight")) {
      item.value().fill_(factor);
      continue;
    }
    if (name == "shared.weight" || name == "lm_head.weight") {
      std_dev = factor;
    } else if (ends_with(name, ".wo.weight")) {
      std_dev = factor * std::pow(d_ff, -0.5);
    } else if (ends_with(name, ".q.weight")) {
      std_dev = factor * std::pow(d_model * d_kv, -0.5);
    } else if (ends_with(name, ".o.weight")) {
      std_dev = factor * std::pow(heads * d_kv, -0.5);
    } else if (relative_bias_std > 0 && ends_with(name, "relative_attention_bias.weight")) {
      std_dev = relative_bias_std;
    }
    item.value().normal_(0.0, std_dev, generator);
  }
}

WeightNameRules T5ModelImpl::weight_name_rules() {
  return {{"model."},
          {"decoder.block.0.layer.1.EncDecAttention.relative_attention_bias."},
          {{"encoder.embed_tokens.weight", "shared.weight"},
           {"decoder.embed_tokens.weight", "shared.weight"},
           {"lm_head.weight", "shared.weight"}}};
}

T5Model load_t5_model(const std::filesystem::path& model_dir, const torch::Device& device) {
  const auto config = T5Config::from_file(HfConfigFile::load(model_dir));
  require_weights_cover(model_dir, config.parameter_count());
  T5Model model(config);
  load_hf_weights(*model, model_dir, T5ModelImpl::weight_name_rules());
  model->to(device);
  return model;
}

void save_t5_model(const T5Model& model, const std::filesystem::path& model_dir) {
  save_hf_weights(*model, model_dir);
  write_hf_config(model_dir, model->config().to_json());
}

torch::Tensor shift_right(const torch::Tensor& labels, std::int64_t start_id, std::int64_t pad_id) {
  auto shifted = torch::full_like(labels, start_id);
  if (labels.size(1) > 1) {
    shifted.narrow(1, 1, labels.size(1) - 1).copy_(labels.narrow(1, 0, labels.size(1) - 1));
  }
  return shifted.masked_fill(shifted == -100, pad_id);
}

std::shared_ptr<torch::nn::Module> T5ModelImpl::clone(const c10::optional<torch::Device>& device) const {
  auto copy = std::make_shared<T5ModelImpl>(config_);
  copy_module_state(*this, *copy, device);
  return copy;
}

}  // namespace corag
