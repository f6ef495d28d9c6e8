// The FiD reader on tiny random T5s: invariances any correct implementation has (FiD with one
// passage, batching, padding, KV cache vs recomputation, save/load) and checkpoint handling.
// HF parity fixtures are compared in hf_parity_test.cpp.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "corag/models/fid_reader.hpp"
#include "corag/models/reader_record.hpp"
#include "corag/models/t5_model.hpp"
#include "corag/util/hf_model_tensors.hpp"
#include "model_fixtures.hpp"
#include "models/model_test_support.hpp"

using namespace corag;
using namespace corag::test;

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
    CHECK(read_text(copy / "spiece.model") == read_text(tiny_spiece_model()));
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

TEST_CASE("T5 reader: checkpoints with HF extras load, mismatches are one error naming every tensor", "[models]") {
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
  write_text(extras / "config.json", config.dump());
  CHECK_THAT(error_message([&] { load_reader(extras); }),
             Catch::Contains("config.json") && Catch::Contains("feed_forward_proj"));
  config["feed_forward_proj"] = "relu";
  config["vocab_size"] = 300;  // smaller than the 356 tokens the tokenizer can produce
  write_text(extras / "config.json", config.dump());
  CHECK_THAT(error_message([&] { load_reader(extras); }), Catch::Contains("vocab_size"));
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
