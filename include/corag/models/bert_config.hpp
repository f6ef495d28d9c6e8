#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "corag/models/hf_config_fields.hpp"

namespace corag {

/// The fields of HF `BertConfig` that `BertModel` uses; defaults are bert-base's.
struct BertConfig {
  std::int64_t vocab_size = 30522;
  std::int64_t hidden_size = 768;
  std::int64_t num_hidden_layers = 12;
  std::int64_t num_attention_heads = 12;
  std::int64_t intermediate_size = 3072;
  std::int64_t max_position_embeddings = 512;
  std::int64_t type_vocab_size = 2;
  std::int64_t pad_token_id = 0;
  double layer_norm_eps = 1e-12;
  double hidden_dropout_prob = 0.1;
  double attention_probs_dropout_prob = 0.1;
  double initializer_range = 0.02;
  nlohmann::json extra = nlohmann::json::object();  ///< other keys of config.json, kept on save

  /// The config.json fields with their bounds, for HfConfigFieldReader and HfConfigFieldWriter.
  /// Bounds lie far above any published BERT and below sizes that would allocate more than
  /// memory holds.
  template <typename Self, typename Visitor>
  static void fields(Self& c, Visitor& v) {
    v.integer("vocab_size", c.vocab_size, 1, 1 << 22);
    v.integer("hidden_size", c.hidden_size, 1, 1 << 15);
    v.integer("num_hidden_layers", c.num_hidden_layers, 1, 256);
    v.integer("num_attention_heads", c.num_attention_heads, 1, 1024);
    v.integer("intermediate_size", c.intermediate_size, 1, 1 << 17);
    v.integer("max_position_embeddings", c.max_position_embeddings, 2, 1 << 20);
    v.integer("type_vocab_size", c.type_vocab_size, 1, 1 << 10);
    v.integer("pad_token_id", c.pad_token_id, 0, kNoUpperBound);
    v.number("layer_norm_eps", c.layer_norm_eps, 1e-30, 1);
    v.number("hidden_dropout_prob", c.hidden_dropout_prob, 0, 1);
    v.number("attention_probs_dropout_prob", c.attention_probs_dropout_prob, 0, 1);
    v.number("initializer_range", c.initializer_range, 0, 1e6);
  }

  /// Reads and checks `config.json`: only `hidden_act: gelu` and absolute position embeddings
  /// are supported; heads must divide the hidden size.
  static BertConfig from_file(const HfConfigFile& file);
  nlohmann::json to_json() const;
  /// Elements of all parameters of BertModel (no pooler) with this config: checked against a
  /// checkpoint before the model is allocated.
  std::int64_t parameter_count() const;
};

}  // namespace corag
