#include "corag/models/bert_config.hpp"

#include "corag/util/error.hpp"

namespace corag {

BertConfig BertConfig::from_file(const HfConfigFile& file) {
  BertConfig c;
  // Bounds far above any published BERT and below sizes that would allocate more than memory holds.
  c.vocab_size = file.integer("vocab_size", c.vocab_size, 1, 1 << 22);
  c.hidden_size = file.integer("hidden_size", c.hidden_size, 1, 1 << 15);
  c.num_hidden_layers = file.integer("num_hidden_layers", c.num_hidden_layers, 1, 256);
  c.num_attention_heads = file.integer("num_attention_heads", c.num_attention_heads, 1, 1024);
  c.intermediate_size = file.integer("intermediate_size", c.intermediate_size, 1, 1 << 17);
  c.max_position_embeddings = file.integer("max_position_embeddings", c.max_position_embeddings, 2, 1 << 20);
  c.type_vocab_size = file.integer("type_vocab_size", c.type_vocab_size, 1, 1 << 10);
  c.pad_token_id = file.integer("pad_token_id", c.pad_token_id, 0);
  c.layer_norm_eps = file.number("layer_norm_eps", c.layer_norm_eps, 1e-30, 1);
  c.hidden_dropout_prob = file.number("hidden_dropout_prob", c.hidden_dropout_prob, 0, 1);
  c.attention_probs_dropout_prob = file.number("attention_probs_dropout_prob", c.attention_probs_dropout_prob, 0, 1);
  c.initializer_range = file.number("initializer_range", c.initializer_range, 0, 1e6);
  const auto activation = file.text("hidden_act", "gelu");
  CORAG_CHECK(activation == "gelu", file.source(), ": 'hidden_act' is '", activation,
              "'; only 'gelu' (exact, as in BERT and Contriever) is supported");
  const auto positions = file.text("position_embedding_type", "absolute");
  CORAG_CHECK(positions == "absolute", file.source(), ": 'position_embedding_type' is '", positions,
              "'; only 'absolute' is supported");
  CORAG_CHECK(c.hidden_size % c.num_attention_heads == 0, file.source(), ": 'hidden_size' ", c.hidden_size,
              " is not a multiple of 'num_attention_heads' ", c.num_attention_heads);
  CORAG_CHECK(c.pad_token_id < c.vocab_size, file.source(), ": 'pad_token_id' ", c.pad_token_id,
              " is outside 'vocab_size' ", c.vocab_size);
  c.extra = file.json();
  return c;
}

std::int64_t BertConfig::parameter_count() const {
  const std::int64_t h = hidden_size;
  const std::int64_t embeddings = (vocab_size + max_position_embeddings + type_vocab_size) * h + 2 * h;
  const std::int64_t attention = 4 * (h * h + h) + 2 * h;  // q, k, v, output, LayerNorm
  const std::int64_t feed_forward = (h * intermediate_size + intermediate_size) + (intermediate_size * h + h) + 2 * h;
  return embeddings + num_hidden_layers * (attention + feed_forward);
}

nlohmann::json BertConfig::to_json() const {
  nlohmann::json json = extra;
  json["model_type"] = "bert";
  json["architectures"] = {"BertModel"};
  json["vocab_size"] = vocab_size;
  json["hidden_size"] = hidden_size;
  json["num_hidden_layers"] = num_hidden_layers;
  json["num_attention_heads"] = num_attention_heads;
  json["intermediate_size"] = intermediate_size;
  json["max_position_embeddings"] = max_position_embeddings;
  json["type_vocab_size"] = type_vocab_size;
  json["pad_token_id"] = pad_token_id;
  json["layer_norm_eps"] = layer_norm_eps;
  json["hidden_dropout_prob"] = hidden_dropout_prob;
  json["attention_probs_dropout_prob"] = attention_probs_dropout_prob;
  json["initializer_range"] = initializer_range;
  json["hidden_act"] = "gelu";
  json["position_embedding_type"] = "absolute";
  return json;
}

}  // namespace corag
