// Model tests on tiny random models. Expected values are hand-computed (relative position
// buckets, RMS norm, mean pooling) or are invariances that any correct implementation has
// (batching, padding, FiD with one passage, KV cache vs recomputation, save/load round trips).
// HF parity fixtures (scripts/make_hf_fixtures.py) are compared in hf_parity_test.cpp when present.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "corag/models/bert_model.hpp"
#include "corag/models/fid_reader.hpp"
#include "corag/models/hf_config_file.hpp"
#include "corag/models/random_checkpoint.hpp"
#include "corag/models/reader_record.hpp"
#include "corag/models/retriever.hpp"
#include "corag/models/t5_layer_norm.hpp"
#include "corag/models/t5_model.hpp"
#include "corag/models/token_batch.hpp"
#include "corag/util/hf_model_tensors.hpp"
#include "model_fixtures.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::read_text;
using corag::test::TempDir;

namespace {

std::filesystem::path make_reader(const TempDir& dir, bool v1_1, std::uint64_t seed = 7) {
  const auto out = dir / (v1_1 ? "t5-v1_1" : "t5");
  write_random_reader(nlohmann::json::parse(test::tiny_t5_config_json(v1_1)), test::tiny_spiece_model(), out, seed);
  return out;
}

std::filesystem::path make_retriever(const TempDir& dir, std::uint64_t seed = 3) {
  const auto out = dir / "bert";
  write_random_retriever(nlohmann::json::parse(test::tiny_bert_config_json()), test::tiny_vocab_file(), out, seed);
  return out;
}

FidReader load_reader(const std::filesystem::path& dir) {
  auto reader = FidReader::load(dir, torch::kCPU, {64, 16});
  reader.model()->eval();
  return reader;
}

ReaderExample example_a() {
  return {"who wrote the book of the city", {{"The City", "a book written in france"}, {"Paris", "capital of france"}}};
}

ReaderExample example_b() {
  return {"what is the capital of france",
          {{"France", "paris is the capital and the largest city of france"},
           {"Lyon", "a city"},
           {"Book", "who wrote what is not known in the city of paris"}}};
}

void check_close(const torch::Tensor& a, const torch::Tensor& b, double tolerance = 1e-5) {
  REQUIRE(a.sizes() == b.sizes());
  CHECK((a - b).abs().max().item<double>() <= tolerance);
}

}  // namespace

TEST_CASE("T5 relative position buckets match hand-computed values", "[models]") {
  // Bidirectional, 32 buckets, max distance 128 (T5's encoder): offsets are memory - query.
  const auto offsets = torch::tensor({0, -1, 1, -7, -8, -16, -127, -128, 200, 12, 45}, torch::kLong);
  const auto bidirectional = relative_position_bucket(offsets, true, 32, 128);
  CHECK(torch::equal(bidirectional, torch::tensor({0, 1, 17, 7, 8, 10, 15, 15, 31, 25, 28}, torch::kLong)));
  // Causal (decoder): future offsets share bucket 0, the past uses all 32 buckets.
  const auto causal =
      relative_position_bucket(torch::tensor({5, 0, -3, -15, -16, -20, -100, -500}, torch::kLong), false, 32, 128);
  CHECK(torch::equal(causal, torch::tensor({0, 0, 3, 15, 16, 17, 30, 31}, torch::kLong)));
}

TEST_CASE("T5 RMS norm, mean pooling and mask bias on hand-computed inputs", "[models]") {
  T5LayerNorm norm(2, 0.0);
  const auto normalized = norm(torch::tensor({{3.0f, 4.0f}}));
  check_close(normalized, torch::tensor({{3.0f / std::sqrt(12.5f), 4.0f / std::sqrt(12.5f)}}), 1e-6);

  const auto hidden = torch::tensor({{{1.0f, 2.0f}, {3.0f, 4.0f}, {100.0f, 100.0f}}});
  const auto mask = torch::tensor({{1, 1, 0}}, torch::kLong);
  check_close(mean_pool(hidden, mask), torch::tensor({{2.0f, 3.0f}}), 0.0);

  const auto bias = attention_mask_bias(mask, torch::kFloat32);
  CHECK(bias.sizes() == c10::IntArrayRef({1, 1, 1, 3}));
  CHECK(bias[0][0][0][0].item<float>() == 0.0f);
  CHECK(bias[0][0][0][2].item<float>() == std::numeric_limits<float>::lowest());
  CHECK(attention_mask_bias(mask, torch::kBFloat16)[0][0][0][2].item<float>() ==
        static_cast<float>(std::numeric_limits<c10::BFloat16>::lowest()));
}

TEST_CASE("T5 init: relative position biases take the given std, every other weight as HF's", "[models]") {
  auto json = nlohmann::json::parse(test::tiny_t5_config_json(false));
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

TEST_CASE("T5 reader: FiD with one passage equals plain T5 and per-passage scoring", "[models]") {
  TempDir dir;
  for (const bool v1_1 : {false, true}) {
    auto reader = load_reader(make_reader(dir, v1_1));
    torch::NoGradGuard no_grad;
    const ReaderExample single{"who wrote the book", {{"Paris", "a city of france"}}};
    const std::vector<std::vector<std::int64_t>> targets{reader.target_ids("the city")};
    const auto encoding = reader.encode({single});
    const auto fid = reader.fid_nll(encoding, targets);
    const auto alone = reader.passage_nll(encoding, targets);

    // Plain T5 by hand: encode the one input, teacher-force the target, cross-entropy.
    const auto input = torch::tensor(reader.encoder_ids(single).front()).unsqueeze(0);
    const auto labels = torch::tensor(targets.front()).unsqueeze(0);
    auto& model = reader.model();
    const auto memory = model->encode(input, torch::ones_like(input));
    const auto logits = model->decode(shift_right(labels, 0, 0), memory, torch::ones_like(input));
    const auto expected = torch::nn::functional::cross_entropy(logits.view({-1, logits.size(-1)}), labels.view({-1}));
    CHECK(fid.item<double>() == Approx(expected.item<double>()).epsilon(1e-6));
    CHECK(alone[0][0].item<double>() == Approx(expected.item<double>()).epsilon(1e-6));
    CHECK(expected.item<double>() > 1.0);  // a random model is far from the target
  }
}

TEST_CASE("T5 reader: batching and padding do not change NLLs or greedy tokens", "[models]") {
  TempDir dir;
  for (const bool v1_1 : {false, true}) {
    auto reader = load_reader(make_reader(dir, v1_1));
    torch::NoGradGuard no_grad;
    const std::vector<std::vector<std::int64_t>> targets{reader.target_ids("paris"),
                                                         reader.target_ids("the book of a city")};
    const auto batched = reader.encode({example_a(), example_b()});
    CHECK(batched.passages == 3);
    const auto fid = reader.fid_nll(batched, targets);
    const auto per_passage = reader.passage_nll(batched, targets);
    const auto tokens = reader.generate(batched, 10);

    const auto alone_a = reader.encode({example_a()});
    const auto alone_b = reader.encode({example_b()});
    check_close(fid[0], reader.fid_nll(alone_a, {targets[0]})[0]);
    check_close(fid[1], reader.fid_nll(alone_b, {targets[1]})[0]);
    check_close(per_passage[0].narrow(0, 0, 2), reader.passage_nll(alone_a, {targets[0]})[0]);
    check_close(per_passage[1], reader.passage_nll(alone_b, {targets[1]})[0]);
    CHECK(tokens[0] == reader.generate(alone_a, 10)[0]);
    CHECK(tokens[1] == reader.generate(alone_b, 10)[0]);

    // The closed-book form (no passages) reads the query alone.
    const auto closed = reader.encoder_ids({"who wrote the book", {}});
    REQUIRE(closed.size() == 1);
    CHECK(closed.front() == reader.tokenizer().encode("question: who wrote the book answer: <extra_id_0>"));
  }
}

TEST_CASE("T5 reader: KV-cache greedy decoding gives exactly the tokens of recomputation", "[models]") {
  TempDir dir;
  for (const bool v1_1 : {false, true}) {
    auto reader = load_reader(make_reader(dir, v1_1, 11));
    const auto encoding = reader.encode({example_a(), example_b(), {"what is paris", {}}});
    const auto cached = reader.generate(encoding, 20, true);
    const auto recomputed = reader.generate(encoding, 20, false);
    CHECK(cached == recomputed);
    for (const auto& tokens : cached) {
      CHECK(!tokens.empty());
      CHECK(tokens.size() <= 20);
    }
    // Logits of the last step agree too, not only their argmax.
    torch::NoGradGuard no_grad;
    const auto memory = encoding.joined_states();
    const auto mask = encoding.joined_mask();
    const auto prefix = torch::tensor({{0, 5, 9, 17}, {0, 3, 3, 8}, {0, 1, 0, 0}}, torch::kLong);
    const auto full = reader.model()->decode(prefix, memory, mask).select(1, 3);
    T5DecoderCache cache;
    torch::Tensor step;
    for (std::int64_t i = 0; i < 4; ++i) step = reader.model()->decode(prefix.narrow(1, i, 1), memory, mask, &cache);
    check_close(step.select(1, 0), full, 1e-4);
    CHECK(cache.length == 4);
  }
}

TEST_CASE("T5 reader: save/load round trip is bit-identical, in the HF layout", "[models]") {
  TempDir dir;
  for (const bool v1_1 : {false, true}) {
    const auto original = make_reader(dir, v1_1);
    auto reader = load_reader(original);
    const auto copy = dir / (v1_1 ? "copy-v1_1" : "copy");
    reader.save(copy);
    CHECK(read_text(copy / "model.safetensors") == read_text(original / "model.safetensors"));
    CHECK(read_text(copy / "spiece.model") == read_text(test::tiny_spiece_model()));
    auto again = load_reader(copy);
    const auto first = reader.model()->named_parameters();
    for (const auto& item : again.model()->named_parameters()) CHECK(torch::equal(item.value(), first[item.key()]));

    const HfModelTensors tensors(copy);
    const auto names = tensors.names();
    const bool has_lm_head = std::find(names.begin(), names.end(), "lm_head.weight") != names.end();
    CHECK(has_lm_head == v1_1);  // tied embeddings are saved once, as shared.weight
    CHECK(std::find(names.begin(), names.end(),
                    "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight") != names.end());
    CHECK(std::find(names.begin(), names.end(), "decoder.block.0.layer.1.EncDecAttention.q.weight") != names.end());
    CHECK(std::find(names.begin(), names.end(),
                    v1_1 ? "encoder.block.1.layer.1.DenseReluDense.wi_1.weight"
                         : "encoder.block.1.layer.1.DenseReluDense.wi.weight") != names.end());
    const auto config = nlohmann::json::parse(read_text(copy / "config.json"));
    CHECK(config["feed_forward_proj"] == (v1_1 ? "gated-gelu" : "relu"));
    CHECK(config["tie_word_embeddings"] == !v1_1);
    CHECK(config["vocab_size"] == 356);
    CHECK(config["architectures"][0] == "T5ForConditionalGeneration");
  }
}

TEST_CASE("T5 reader: checkpoints with HF extras load; mismatches are one error naming every tensor", "[models]") {
  TempDir dir;
  const auto original = make_reader(dir, false);
  const HfModelTensors source(original);
  const auto rewrite = [&](const std::string& name, const std::function<void(std::vector<NamedTensor>&)>& edit) {
    const auto out = dir / name;
    std::filesystem::create_directories(out);
    std::filesystem::copy_file(original / "config.json", out / "config.json");
    std::filesystem::copy_file(original / "spiece.model", out / "spiece.model");
    std::vector<NamedTensor> tensors;
    for (const auto& tensor_name : source.names()) tensors.push_back({tensor_name, source.tensor(tensor_name).clone()});
    edit(tensors);
    write_hf_model_tensors(out, tensors);
    return out;
  };

  // Older checkpoints repeat the tied embedding and carry an unused decoder bias; "model." prefix.
  const auto extras = rewrite("extras", [&](std::vector<NamedTensor>& tensors) {
    const auto shared = source.tensor("shared.weight");
    tensors.push_back({"encoder.embed_tokens.weight", shared});
    tensors.push_back({"lm_head.weight", shared});
    tensors.push_back({"decoder.block.0.layer.1.EncDecAttention.relative_attention_bias.weight", torch::zeros({8, 4})});
    for (auto& tensor : tensors) tensor.name = "model." + tensor.name;
  });
  auto loaded = load_reader(extras);
  CHECK(torch::equal(loaded.model()->named_parameters()["shared.weight"], source.tensor("shared.weight")));

  const auto broken = rewrite("broken", [](std::vector<NamedTensor>& tensors) {
    tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                                 [](const NamedTensor& t) { return t.name == "encoder.final_layer_norm.weight"; }),
                  tensors.end());
    for (auto& tensor : tensors) {
      if (tensor.name == "decoder.block.1.layer.0.SelfAttention.k.weight") tensor.tensor = torch::zeros({32, 31});
    }
    tensors.push_back({"encoder.block.9.layer.0.SelfAttention.q.weight", torch::zeros({32, 32})});
  });
  const auto message = error_message([&] { load_reader(broken); });
  CHECK_THAT(
      message,
      Catch::Contains("broken") && Catch::Contains("missing tensors (1)") &&
          Catch::Contains("encoder.final_layer_norm.weight") && Catch::Contains("unexpected tensors (1)") &&
          Catch::Contains("encoder.block.9.layer.0.SelfAttention.q.weight") &&
          Catch::Contains("decoder.block.1.layer.0.SelfAttention.k.weight: checkpoint [32, 31], model [32, 32]"));

  auto config = nlohmann::json::parse(read_text(original / "config.json"));
  config["feed_forward_proj"] = "swish";
  corag::test::write_text(extras / "config.json", config.dump());
  CHECK_THAT(error_message([&] { load_reader(extras); }),
             Catch::Contains("config.json") && Catch::Contains("feed_forward_proj"));
  config["feed_forward_proj"] = "relu";
  config["vocab_size"] = 300;  // smaller than the 356 tokens the tokenizer can produce
  corag::test::write_text(extras / "config.json", config.dump());
  CHECK_THAT(error_message([&] { load_reader(extras); }), Catch::Contains("vocab_size"));
}

TEST_CASE("model configs: parameter_count is the element count of the model built from them", "[models]") {
  for (const bool v1_1 : {false, true}) {
    const T5Model model(
        T5Config::from_file(HfConfigFile(nlohmann::json::parse(test::tiny_t5_config_json(v1_1)), "t5")));
    std::int64_t elements = 0;
    for (const auto& parameter : model->parameters()) elements += parameter.numel();
    CHECK(model->config().parameter_count() == elements);
  }
  const BertModel bert(
      BertConfig::from_file(HfConfigFile(nlohmann::json::parse(test::tiny_bert_config_json()), "bert")));
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
    corag::test::write_text(original / "config.json", config.dump());
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
    corag::test::write_text(original / "config.json", config_text);
  }
  // Within the bounds but larger than the weights: refused from the headers, before allocating.
  with_config("d_ff", 100000);
  CHECK_THAT(error_message([&] { load_reader(original); }),
             Catch::Contains("config.json: describes a model of") && Catch::Contains("hold"));
  corag::test::write_text(original / "config.json", config_text);

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

TEST_CASE("Contriever retriever: padding and batching do not change embeddings", "[models]") {
  TempDir dir;
  auto retriever = Retriever::load(make_retriever(dir), torch::kCPU);
  const std::vector<std::string> texts{"who wrote the book", "the capital of france is paris , a city in france", "a"};
  const auto together = retriever.embed_queries(texts, 8);
  REQUIRE(together.sizes() == c10::IntArrayRef({3, 32}));
  for (std::size_t i = 0; i < texts.size(); ++i) {
    check_close(together[static_cast<std::int64_t>(i)], retriever.embed_queries({texts[i]}, 1)[0]);
  }
  check_close(retriever.embed_passages(texts, 2), together, 1e-6);  // shared encoders
  CHECK(retriever_passage_text("Paris", "capital of france") == "Paris capital of france");

  // Mean pooling over non-pad tokens, computed from the encoder output by hand.
  torch::NoGradGuard no_grad;
  const auto ids = torch::tensor({{2, 15, 16, 3}}, torch::kLong);
  const auto hidden = retriever.query_encoder()->forward(ids, torch::ones_like(ids));
  check_close(retriever.embed_queries({"who wrote"}, 1), hidden.mean(1));
}

TEST_CASE("Contriever retriever: round trip, HF prefixes, separate query encoder", "[models]") {
  TempDir dir;
  const auto original = make_retriever(dir);
  auto retriever = Retriever::load(original, torch::kCPU);
  const auto copy = dir / "copy";
  retriever.save(copy);
  CHECK(read_text(copy / "model.safetensors") == read_text(original / "model.safetensors"));
  CHECK(read_text(copy / "vocab.txt") == read_text(test::tiny_vocab_file()));
  CHECK(!std::filesystem::exists(copy / "passage_encoder"));

  // A BertForMaskedLM-style checkpoint: "bert." prefix, MLM head and pooler ignored.
  const HfModelTensors source(original);
  std::vector<NamedTensor> tensors;
  for (const auto& name : source.names()) tensors.push_back({"bert." + name, source.tensor(name)});
  tensors.push_back({"cls.predictions.bias", torch::zeros({29})});
  tensors.push_back({"bert.pooler.dense.weight", torch::zeros({32, 32})});
  const auto prefixed = dir / "prefixed";
  std::filesystem::create_directories(prefixed);
  write_hf_model_tensors(prefixed, tensors);
  std::filesystem::copy_file(original / "config.json", prefixed / "config.json");
  std::filesystem::copy_file(original / "vocab.txt", prefixed / "vocab.txt");
  auto from_prefixed = Retriever::load(prefixed, torch::kCPU);
  check_close(from_prefixed.embed_queries({"the book"}, 1), retriever.embed_queries({"the book"}, 1), 0.0);

  retriever.separate_encoders();
  CHECK(!retriever.encoders_shared());
  {
    torch::NoGradGuard no_grad;
    for (auto& parameter : retriever.query_encoder()->parameters()) parameter.add_(0.01);
  }
  const auto passages = retriever.embed_passages({"the book"}, 1);
  CHECK(!torch::allclose(retriever.embed_queries({"the book"}, 1), passages));
  const auto separate = dir / "separate";
  retriever.save(separate);
  auto reloaded = Retriever::load(separate, torch::kCPU);
  CHECK(!reloaded.encoders_shared());
  check_close(reloaded.embed_passages({"the book"}, 1), passages, 0.0);
  check_close(reloaded.embed_queries({"the book"}, 1), retriever.embed_queries({"the book"}, 1), 0.0);
}

TEST_CASE("T5 scale_decoder_outputs: honoured when config.json has it, else scaled exactly when tied", "[models]") {
  const auto config_with = [](bool tied, const nlohmann::json& scale) {
    auto json = nlohmann::json::parse(test::tiny_t5_config_json(false));
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

TEST_CASE("reader input lines: passages in another format are refused, not read closed-book", "[models]") {
  const auto parse = [](const std::string& line) {
    return parse_reader_record(nlohmann::json::parse(line), "in.jsonl:1", AnswersPolicy::optional);
  };
  const auto ok = parse(R"({"id": "q", "question": "who?", "answers": ["x"], "extra": [1, 2],
                            "passages": [{"id": "p", "title": "T", "text": "body", "score": 1.5}]})");
  REQUIRE(ok.example.passages.size() == 1);
  CHECK(ok.example.passages[0].title == "T");
  CHECK(parse(R"({"question": "who?", "def_correct_predictions": ["x"]})").example.passages.empty());
  CHECK_THAT(error_message([&] { parse(R"({"question": "who?", "ctxs": [{"title": "T", "text": "x"}]})"); }),
             Catch::Contains("in.jsonl:1: has FiD/DPR's 'ctxs'"));
  CHECK_THAT(error_message([&] { parse(R"({"question": "who?", "contexts": [{"title": "T", "text": "x"}]})"); }),
             Catch::Contains("'contexts' holds a list of objects"));
  CHECK_THAT(error_message([&] { parse(R"({"question": "who?", "passages": [{"tilte": "T", "text": "x"}]})"); }),
             Catch::Contains("passages[0]: unknown key 'tilte'"));
}
