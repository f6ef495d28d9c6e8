#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "corag/models/hf_config_fields.hpp"

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

  /// The config.json fields with their bounds, for HfConfigFieldReader and HfConfigFieldWriter.
  /// Bounds lie far above any published T5 (mT5-XXL: vocabulary 250,112, d_model 4,096, d_ff
  /// 10,240, 24 layers, 64 heads) and below sizes that would allocate more than memory holds.
  template <typename Self, typename Visitor>
  static void fields(Self& c, Visitor& v) {
    v.integer("vocab_size", c.vocab_size, 3, 1 << 22);
    v.integer("d_model", c.d_model, 1, 1 << 15);
    v.integer("d_kv", c.d_kv, 1, 1 << 12);
    v.integer("d_ff", c.d_ff, 1, 1 << 17);
    v.integer("num_layers", c.num_layers, 1, 256);
    v.defaults_to(c.num_decoder_layers, c.num_layers);
    v.integer("num_decoder_layers", c.num_decoder_layers, 1, 256);
    v.integer("num_heads", c.num_heads, 1, 1024);
    v.integer("relative_attention_num_buckets", c.relative_attention_num_buckets, 4, 1 << 12);
    v.integer("relative_attention_max_distance", c.relative_attention_max_distance, 2, 1 << 20);
    v.number("dropout_rate", c.dropout_rate, 0, 1);
    v.number("layer_norm_epsilon", c.layer_norm_epsilon, 1e-30, 1);
    v.number("initializer_factor", c.initializer_factor, 1e-30, 1e6);
    v.text("feed_forward_proj", c.feed_forward_proj);
    v.flag("tie_word_embeddings", c.tie_word_embeddings);
    v.defaults_to(c.scale_decoder_outputs, c.tie_word_embeddings);
    v.flag("scale_decoder_outputs", c.scale_decoder_outputs);
    v.integer("pad_token_id", c.pad_token_id, 0, kNoUpperBound);
    v.integer("eos_token_id", c.eos_token_id, 0, kNoUpperBound);
    v.defaults_to(c.decoder_start_token_id, c.pad_token_id);
    v.integer("decoder_start_token_id", c.decoder_start_token_id, 0, kNoUpperBound);
  }

  /// Reads and checks `config.json` (the activation named by `feed_forward_proj`, token ids
  /// inside the vocabulary).
  static T5Config from_file(const HfConfigFile& file);
  nlohmann::json to_json() const;
  /// Elements of all parameters of T5ForConditionalGeneration with this config (the tied
  /// embedding counted once): checked against a checkpoint before the model is allocated.
  std::int64_t parameter_count() const;
};

}  // namespace corag
