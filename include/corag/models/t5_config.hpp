#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "corag/models/hf_config_file.hpp"

namespace corag {

/// Activation of the T5 feed-forward block, from `feed_forward_proj` as HF reads it:
/// `relu` (t5 v1.0), `gated-gelu` (v1.1 / Flan: GELU with the tanh approximation), `gelu`
/// (exact), `gated-relu`, `silu` / `gated-silu`.
enum class T5Activation { kRelu, kGeluExact, kGeluTanh, kSilu };

/// The fields of HF `T5Config` that `T5ForConditionalGeneration` uses; defaults are t5-base's.
struct T5Config {
  std::int64_t vocab_size = 32128;
  std::int64_t d_model = 768;
  std::int64_t d_kv = 64;
  std::int64_t d_ff = 3072;
  std::int64_t num_layers = 12;
  std::int64_t num_decoder_layers = 12;
  std::int64_t num_heads = 12;
  std::int64_t relative_attention_num_buckets = 32;
  std::int64_t relative_attention_max_distance = 128;
  double dropout_rate = 0.1;
  double layer_norm_epsilon = 1e-6;
  double initializer_factor = 1.0;
  std::string feed_forward_proj = "relu";
  T5Activation activation = T5Activation::kRelu;
  bool gated = false;
  bool tie_word_embeddings = true;
  /// Decoder outputs times d_model^-0.5 before the LM head. transformers 5 writes it to
  /// config.json; without it, scaled exactly when the embeddings are tied (transformers 4, and
  /// every published T5, Flan-T5 and Atlas checkpoint).
  bool scale_decoder_outputs = true;
  std::int64_t pad_token_id = 0;
  std::int64_t eos_token_id = 1;
  std::int64_t decoder_start_token_id = 0;
  nlohmann::json extra = nlohmann::json::object();  ///< other keys of config.json, kept on save

  static T5Config from_file(const HfConfigFile& file);
  nlohmann::json to_json() const;
  /// Elements of all parameters of T5ForConditionalGeneration with this config (the tied
  /// embedding counted once): checked against a checkpoint before the model is allocated.
  std::int64_t parameter_count() const;
};

}  // namespace corag
