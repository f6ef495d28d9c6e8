#include "corag/models/t5_config.hpp"

#include "corag/util/error.hpp"

namespace corag {

T5Config T5Config::from_file(const HfConfigFile& file) {
  T5Config c;
  // Bounds far above any published T5 (mT5-XXL: vocabulary 250,112, d_model 4,096, d_ff 10,240,
  // 24 layers, 64 heads) and below sizes that would allocate more than memory holds.
  c.vocab_size = file.integer("vocab_size", c.vocab_size, 3, 1 << 22);
  c.d_model = file.integer("d_model", c.d_model, 1, 1 << 15);
  c.d_kv = file.integer("d_kv", c.d_kv, 1, 1 << 12);
  c.d_ff = file.integer("d_ff", c.d_ff, 1, 1 << 17);
  c.num_layers = file.integer("num_layers", c.num_layers, 1, 256);
  c.num_decoder_layers = file.integer("num_decoder_layers", c.num_layers, 1, 256);
  c.num_heads = file.integer("num_heads", c.num_heads, 1, 1024);
  c.relative_attention_num_buckets =
      file.integer("relative_attention_num_buckets", c.relative_attention_num_buckets, 4, 1 << 12);
  c.relative_attention_max_distance =
      file.integer("relative_attention_max_distance", c.relative_attention_max_distance, 2, 1 << 20);
  c.dropout_rate = file.number("dropout_rate", c.dropout_rate, 0, 1);
  c.layer_norm_epsilon = file.number("layer_norm_epsilon", c.layer_norm_epsilon, 1e-30, 1);
  c.initializer_factor = file.number("initializer_factor", c.initializer_factor, 1e-30, 1e6);
  c.tie_word_embeddings = file.flag("tie_word_embeddings", c.tie_word_embeddings);
  c.scale_decoder_outputs = file.flag("scale_decoder_outputs", c.tie_word_embeddings);
  c.pad_token_id = file.integer("pad_token_id", c.pad_token_id);
  c.eos_token_id = file.integer("eos_token_id", c.eos_token_id);
  c.decoder_start_token_id = file.integer("decoder_start_token_id", c.pad_token_id);
  c.feed_forward_proj = file.text("feed_forward_proj", c.feed_forward_proj);

  std::string name = c.feed_forward_proj;
  c.gated = name.rfind("gated-", 0) == 0;
  if (c.gated) name = name.substr(6);
  if (name == "relu") {
    c.activation = T5Activation::kRelu;
  } else if (name == "gelu") {
    // HF maps "gated-gelu" to gelu_new (tanh approximation) and plain "gelu" to the exact one.
    c.activation = c.gated ? T5Activation::kGeluTanh : T5Activation::kGeluExact;
  } else if (name == "gelu_new") {
    c.activation = T5Activation::kGeluTanh;
  } else if (name == "silu") {
    c.activation = T5Activation::kSilu;
  } else {
    throw_error(file.source(), ": 'feed_forward_proj' is '", c.feed_forward_proj,
                "'; supported: relu, gated-gelu, gelu, gelu_new, gated-relu, silu, gated-silu");
  }
  CORAG_CHECK(c.decoder_start_token_id < c.vocab_size && c.pad_token_id < c.vocab_size && c.eos_token_id < c.vocab_size,
              file.source(), ": pad/eos/decoder-start token ids must be below 'vocab_size' ", c.vocab_size);
  c.extra = file.json();
  return c;
}

std::int64_t T5Config::parameter_count() const {
  const std::int64_t inner = num_heads * d_kv;
  const std::int64_t attention = 4 * inner * d_model;  // q, k, v: [inner, d]; o: [d, inner]
  const std::int64_t feed_forward = (gated ? 3 : 2) * d_ff * d_model;
  const std::int64_t position_bias = relative_attention_num_buckets * num_heads;  // first block of each stack
  const std::int64_t encoder = num_layers * (attention + feed_forward + 2 * d_model) + position_bias + d_model;
  const std::int64_t decoder =
      num_decoder_layers * (2 * attention + feed_forward + 3 * d_model) + position_bias + d_model;
  return vocab_size * d_model * (tie_word_embeddings ? 1 : 2) + encoder + decoder;
}

nlohmann::json T5Config::to_json() const {
  nlohmann::json json = extra;
  json["model_type"] = "t5";
  json["architectures"] = {"T5ForConditionalGeneration"};
  json["vocab_size"] = vocab_size;
  json["d_model"] = d_model;
  json["d_kv"] = d_kv;
  json["d_ff"] = d_ff;
  json["num_layers"] = num_layers;
  json["num_decoder_layers"] = num_decoder_layers;
  json["num_heads"] = num_heads;
  json["relative_attention_num_buckets"] = relative_attention_num_buckets;
  json["relative_attention_max_distance"] = relative_attention_max_distance;
  json["dropout_rate"] = dropout_rate;
  json["layer_norm_epsilon"] = layer_norm_epsilon;
  json["initializer_factor"] = initializer_factor;
  json["feed_forward_proj"] = feed_forward_proj;
  json["tie_word_embeddings"] = tie_word_embeddings;
  json["scale_decoder_outputs"] = scale_decoder_outputs;
  json["pad_token_id"] = pad_token_id;
  json["eos_token_id"] = eos_token_id;
  json["decoder_start_token_id"] = decoder_start_token_id;
  json["is_encoder_decoder"] = true;
  return json;
}

}  // namespace corag
