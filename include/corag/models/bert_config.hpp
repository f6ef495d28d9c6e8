#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "corag/models/hf_config_file.hpp"

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

  /// Reads and checks `config.json`: only `hidden_act: gelu` and absolute position embeddings
  /// are supported; heads must divide the hidden size.
  static BertConfig from_file(const HfConfigFile& file);
  nlohmann::json to_json() const;
  /// Elements of all parameters of BertModel (no pooler) with this config: checked against a
  /// checkpoint before the model is allocated.
  std::int64_t parameter_count() const;
};

}  // namespace corag
