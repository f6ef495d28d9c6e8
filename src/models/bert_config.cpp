#include "corag/models/bert_config.hpp"

#include "corag/util/error.hpp"

namespace corag {

BertConfig BertConfig::from_file(const HfConfigFile& file) {
  BertConfig c;
  HfConfigFieldReader reader(file);
  fields(c, reader);
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
  HfConfigFieldWriter writer(json);
  fields(*this, writer);
  json["hidden_act"] = "gelu";
  json["position_embedding_type"] = "absolute";
  return json;
}

}  // namespace corag
