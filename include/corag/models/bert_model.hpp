#pragma once

#include <cstdint>
#include <filesystem>

#include <torch/nn/module.h>
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/embedding.h>

#include "corag/models/bert_config.hpp"
#include "corag/models/bert_layer.hpp"
#include "corag/models/hf_weights.hpp"

namespace corag {

/// HF `BertModel` without the pooler (Contriever does not use it): embeddings (word + absolute
/// position + token type 0), LayerNorm, dropout, then the layers. Parameter names are HF's
/// (`embeddings.word_embeddings.weight`, `encoder.layer.0.attention.self.query.weight`, ...).
class BertModelImpl : public torch::nn::Module {
 public:
  explicit BertModelImpl(BertConfig config);

  /// ids, mask: [batch, seq] int64 (mask 1 for tokens, 0 for padding) → [batch, seq, hidden].
  torch::Tensor forward(const torch::Tensor& ids, const torch::Tensor& mask);

  /// HF's initialisation (`_init_weights`): normal(0, initializer_range) for linear and
  /// embedding weights, zero biases and padding row, unit LayerNorm; seeded, on the CPU.
  void initialize(std::uint64_t seed);

  const BertConfig& config() const { return config_; }
  /// A deep copy: the same config, copies of every parameter and buffer (on `device` when
  /// given), the same training mode; `std::dynamic_pointer_cast<BertModelImpl>` of the result.
  std::shared_ptr<torch::nn::Module> clone(const c10::optional<torch::Device>& device = c10::nullopt) const override;

  /// Names `transformers` may put in a BERT checkpoint around the encoder's own tensors.
  static WeightNameRules weight_name_rules();

 private:
  BertConfig config_;
  torch::nn::Embedding word_embeddings_{nullptr}, position_embeddings_{nullptr}, token_type_embeddings_{nullptr};
  torch::nn::LayerNorm embedding_norm_{nullptr};
  torch::nn::Dropout embedding_dropout_{nullptr};
  torch::nn::ModuleList layers_{nullptr};
};
TORCH_MODULE(BertModel);

}  // namespace corag
