#pragma once

#include <cstdint>
#include <filesystem>

#include <torch/nn/module.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>

#include "corag/models/hf_weights.hpp"
#include "corag/models/t5_config.hpp"
#include "corag/models/t5_stack.hpp"

namespace corag {

/// HF `T5ForConditionalGeneration`: `shared` embedding, `encoder`, `decoder`, and either the
/// tied LM head (shared matrix, decoder output scaled by d_model^-0.5: t5 v1.0) or an untied
/// `lm_head` (v1.1 / Flan).
class T5ModelImpl : public torch::nn::Module {
 public:
  explicit T5ModelImpl(T5Config config);

  /// ids, mask [batch, seq] → encoder states [batch, seq, d_model].
  torch::Tensor encode(const torch::Tensor& ids, const torch::Tensor& mask);
  /// Decoder ids [batch, q] over memory [batch, m, d_model] (mask [batch, m]) → logits
  /// [batch, q, vocab]. With a cache, `ids` are only the positions not yet in it.
  torch::Tensor decode(const torch::Tensor& decoder_ids, const torch::Tensor& memory, const torch::Tensor& memory_mask,
                       T5DecoderCache* cache = nullptr);

  /// HF's `_init_weights` for T5 (scaled by initializer_factor); seeded, on the CPU. A positive
  /// `relative_bias_std` replaces HF's d_model^-0.5 for the relative position biases.
  void initialize(std::uint64_t seed, double relative_bias_std = 0.0);

  const T5Config& config() const { return config_; }
  /// A deep copy: the same config, copies of every parameter and buffer (on `device` when
  /// given), the same training mode; `std::dynamic_pointer_cast<T5ModelImpl>` of the result.
  std::shared_ptr<torch::nn::Module> clone(const c10::optional<torch::Device>& device = c10::nullopt) const override;
  static WeightNameRules weight_name_rules();

 private:
  T5Config config_;
  torch::Tensor shared_;
  T5Stack encoder_{nullptr}, decoder_{nullptr};
  torch::nn::Linear lm_head_{nullptr};
};
TORCH_MODULE(T5Model);

/// Loads an HF T5 directory's config and weights (no tokenizer) onto `device`.
T5Model load_t5_model(const std::filesystem::path& model_dir, const torch::Device& device);
/// Saves a T5Model's config.json and weights in the HF layout (tied weights once, as `shared`).
void save_t5_model(const T5Model& model, const std::filesystem::path& model_dir);

/// Decoder input for teacher forcing: `labels` [batch, t] shifted right behind `start_id`, with
/// ignored positions (-100) replaced by `pad_id` (HF `_shift_right`).
torch::Tensor shift_right(const torch::Tensor& labels, std::int64_t start_id, std::int64_t pad_id);

}  // namespace corag
