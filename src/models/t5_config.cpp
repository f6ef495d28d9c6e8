#include "corag/models/t5_config.hpp"

#include "corag/util/error.hpp"

namespace corag {

T5Config T5Config::from_file(const HfConfigFile& file) {
  T5Config c;
  HfConfigFieldReader reader(file);
  fields(c, reader);

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
  HfConfigFieldWriter writer(json);
  fields(*this, writer);
  json["is_encoder_decoder"] = true;
  return json;
}

}  // namespace corag
