// BERT and T5 configs: sizes, bounds on hostile config.json files, and the one field list that
// reads and writes config.json.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "corag/models/bert_model.hpp"
#include "corag/models/hf_config_file.hpp"
#include "corag/models/t5_model.hpp"
#include "corag/util/hf_model_tensors.hpp"
#include "model_fixtures.hpp"
#include "models/model_test_support.hpp"

using namespace corag;
using namespace corag::test;

TEST_CASE("model configs: parameter_count is the element count of the model built from them", "[models]") {
  for (const bool v1_1 : {false, true}) {
    const T5Model model(T5Config::from_file(HfConfigFile(nlohmann::json::parse(tiny_t5_config_json(v1_1)), "t5")));
    std::int64_t elements = 0;
    for (const auto& parameter : model->parameters()) elements += parameter.numel();
    CHECK(model->config().parameter_count() == elements);
  }
  const BertModel bert(BertConfig::from_file(HfConfigFile(nlohmann::json::parse(tiny_bert_config_json()), "bert")));
  std::int64_t elements = 0;
  for (const auto& parameter : bert->parameters()) elements += parameter.numel();
  CHECK(bert->config().parameter_count() == elements);
}

TEST_CASE("hostile config.json: sizes, epsilons and weight dtypes are refused before a model is built", "[models]") {
  TempDir dir;
  const auto original = make_reader(dir, false);
  const auto with_config = [&](const std::string& key, const nlohmann::json& value) {
    auto config = nlohmann::json::parse(read_text(original / "config.json"));
    config[key] = value;
    write_text(original / "config.json", config.dump());
  };
  const auto config_text = read_text(original / "config.json");
  // num_layers 1,000,000 grew memory until the process was killed; d_model in the millions
  // allocated gigabytes before the weights were compared; epsilon -1 made generation emit padding.
  for (const auto& [key, value] :
       std::vector<std::pair<std::string, nlohmann::json>>{{"num_layers", 1000000},
                                                           {"d_model", 3000000},
                                                           {"vocab_size", 100000000},
                                                           {"layer_norm_epsilon", -1},
                                                           {"dropout_rate", 1.5},
                                                           {"d_ff", 18446744073709551615ULL}}) {
    INFO(key);
    with_config(key, value);
    CHECK_THAT(error_message([&] { load_reader(original); }),
               Catch::Contains("config.json") && Catch::Contains("'" + key + "' must be"));
    write_text(original / "config.json", config_text);
  }
  // Within the bounds but larger than the weights: refused from the headers, before allocating.
  with_config("d_ff", 100000);
  CHECK_THAT(error_message([&] { load_reader(original); }),
             Catch::Contains("config.json: describes a model of") && Catch::Contains("hold"));
  write_text(original / "config.json", config_text);

  const HfModelTensors source(original);
  std::vector<NamedTensor> tensors;
  for (const auto& name : source.names()) {
    auto tensor = source.tensor(name).clone();
    tensors.push_back({name, name == "shared.weight" ? tensor.to(torch::kInt64) : tensor});
  }
  std::filesystem::remove(original / "model.safetensors");
  write_hf_model_tensors(original, tensors);
  CHECK_THAT(error_message([&] { load_reader(original); }),
             Catch::Contains("shared.weight: dtype I64, not a floating-point type"));
}

TEST_CASE("model configs: HF's config.json files read and write back every value unchanged", "[models]") {
  // config.json files written by HF transformers (tests/data/hf): every key, the ones corag reads
  // and the ones it keeps as extras, comes back with HF's value.
  const std::filesystem::path hf = std::string(CORAG_TEST_DATA_DIR) + "/hf";
  for (const char* name : {"t5", "t5-v1_1"}) {
    INFO(name);
    const auto file = HfConfigFile::load(hf / name);
    const auto written = T5Config::from_file(file).to_json();
    for (const auto& [key, value] : file.json().items()) CHECK(written.at(key) == value);
  }
  const auto bert = HfConfigFile::load(hf / "bert");
  const auto written = BertConfig::from_file(bert).to_json();
  for (const auto& [key, value] : bert.json().items()) CHECK(written.at(key) == value);

  // Every field read is written: values away from the defaults survive a round trip.
  auto json = nlohmann::json::parse(tiny_t5_config_json(true));
  json["relative_attention_max_distance"] = 77;
  json["initializer_factor"] = 0.5;
  json["decoder_start_token_id"] = 3;
  const auto t5 = T5Config::from_file(HfConfigFile(json, "t5"));
  const auto again = T5Config::from_file(HfConfigFile(t5.to_json(), "again"));
  CHECK(again.to_json() == t5.to_json());
  CHECK(again.relative_attention_max_distance == 77);
  CHECK(again.initializer_factor == 0.5);
  CHECK(again.decoder_start_token_id == 3);
  CHECK(again.num_decoder_layers == t5.num_decoder_layers);
  // Fields whose default is another field's value: the decoder's depth follows the encoder's.
  auto shallow = nlohmann::json::parse(tiny_t5_config_json(false));
  shallow.erase("num_decoder_layers");
  shallow["num_layers"] = 3;
  CHECK(T5Config::from_file(HfConfigFile(shallow, "shallow")).num_decoder_layers == 3);
}
