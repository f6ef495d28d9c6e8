// T5ForConditionalGeneration: initialisation, decoder output scaling, cloning.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "corag/models/bert_model.hpp"
#include "corag/models/hf_config_file.hpp"
#include "corag/models/t5_model.hpp"
#include "model_fixtures.hpp"
#include "models/model_test_support.hpp"

using namespace corag;
using namespace corag::test;

TEST_CASE("T5 init: relative position biases take the given std, every other weight as HF's", "[models]") {
  auto json = nlohmann::json::parse(tiny_t5_config_json(false));
  json["vocab_size"] = 40;
  const auto config = T5Config::from_file(HfConfigFile(json, "test"));
  T5Model hf_init(config), wide_bias(config);
  hf_init->initialize(11);
  wide_bias->initialize(11, 2.0);
  const auto wide = wide_bias->named_parameters();
  int biases = 0;
  for (const auto& item : hf_init->named_parameters()) {
    INFO(item.key());
    const auto& other = wide[item.key()];
    if (item.key().find("relative_attention_bias") == std::string::npos) {
      CHECK(torch::equal(item.value(), other));
      continue;
    }
    ++biases;
    // HF: d_model^-0.5 (d_model 32: 0.177); 8 buckets x 4 heads = 32 draws each.
    CHECK(item.value().std().item<double>() == Approx(std::pow(32.0, -0.5)).epsilon(0.35));
    CHECK(other.std().item<double>() == Approx(2.0).epsilon(0.35));
  }
  CHECK(biases == 2);
}

TEST_CASE("T5 scale_decoder_outputs: honoured when config.json has it, else scaled exactly when tied", "[models]") {
  const auto config_with = [](bool tied, const nlohmann::json& scale) {
    auto json = nlohmann::json::parse(tiny_t5_config_json(false));
    json["vocab_size"] = 40;
    json["tie_word_embeddings"] = tied;
    if (!scale.is_null()) json["scale_decoder_outputs"] = scale;
    return T5Config::from_file(HfConfigFile(json, "test"));
  };
  CHECK(config_with(true, nullptr).scale_decoder_outputs);
  CHECK_FALSE(config_with(false, nullptr).scale_decoder_outputs);
  CHECK_FALSE(config_with(true, false).scale_decoder_outputs);  // transformers 5's tied "v1.1"
  CHECK(config_with(false, true).scale_decoder_outputs);
  CHECK(config_with(true, false).to_json()["scale_decoder_outputs"] == false);

  // The logits of a tied, unscaled model are d_model^0.5 times those of the same weights scaled.
  T5Model scaled(config_with(true, nullptr)), unscaled(config_with(true, false));
  scaled->initialize(3);
  torch::NoGradGuard no_grad;
  for (const auto& item : scaled->named_parameters()) unscaled->named_parameters()[item.key()].copy_(item.value());
  scaled->eval();
  unscaled->eval();
  const auto ids = torch::tensor({{5, 6, 7, 1}}, torch::kLong);
  const auto mask = torch::ones({1, 4}, torch::kLong);
  const auto decoder_ids = torch::tensor({{0, 9}}, torch::kLong);
  const auto a = scaled->decode(decoder_ids, scaled->encode(ids, mask), mask);
  const auto b = unscaled->decode(decoder_ids, unscaled->encode(ids, mask), mask);
  check_close(b, a * std::sqrt(32.0), 1e-4);
}

TEST_CASE("T5 and BERT clone: equal weights in their own storage, same dtype, flags and mode", "[models]") {
  T5Model t5(T5Config::from_file(HfConfigFile(nlohmann::json::parse(tiny_t5_config_json(false)), "t5")));
  t5->initialize(5);
  t5->to(torch::kBFloat16);
  t5->eval();
  t5->named_parameters()["decoder.final_layer_norm.weight"].set_requires_grad(false);
  const auto copy = std::dynamic_pointer_cast<T5ModelImpl>(t5->clone());
  REQUIRE(copy != nullptr);
  CHECK_FALSE(copy->is_training());
  const auto copied = copy->named_parameters();
  REQUIRE(copied.size() == t5->named_parameters().size());
  for (const auto& item : t5->named_parameters()) {
    INFO(item.key());
    const auto& other = copied[item.key()];
    CHECK(other.scalar_type() == torch::kBFloat16);
    CHECK(torch::equal(other, item.value()));
    CHECK(other.data_ptr() != item.value().data_ptr());
    CHECK(other.requires_grad() == item.value().requires_grad());
  }
  CHECK_FALSE(copied["decoder.final_layer_norm.weight"].requires_grad());
  // The copy's forward pass uses its own tensors: changing the original leaves its logits alone.
  torch::NoGradGuard no_grad;
  const auto ids = torch::tensor({{5, 6, 7, 1}}, torch::kLong);
  const auto mask = torch::ones({1, 4}, torch::kLong);
  const auto decoder_ids = torch::tensor({{0, 9}}, torch::kLong);
  const auto before = copy->decode(decoder_ids, copy->encode(ids, mask), mask);
  for (auto& parameter : t5->parameters()) parameter.zero_();
  CHECK(torch::equal(copy->decode(decoder_ids, copy->encode(ids, mask), mask), before));

  BertModel bert(BertConfig::from_file(HfConfigFile(nlohmann::json::parse(tiny_bert_config_json()), "bert")));
  bert->initialize(6);
  const auto bert_copy = std::dynamic_pointer_cast<BertModelImpl>(bert->clone());
  REQUIRE(bert_copy != nullptr);
  CHECK(bert_copy->is_training());
  const auto bert_copied = bert_copy->named_parameters();
  for (const auto& item : bert->named_parameters()) {
    INFO(item.key());
    CHECK(torch::equal(bert_copied[item.key()], item.value()));
    CHECK(bert_copied[item.key()].data_ptr() != item.value().data_ptr());
  }
}
