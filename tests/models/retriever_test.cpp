// The Contriever dual encoder on a tiny random BERT: batching and padding invariance, mean
// pooling, save/load, HF prefixes, separate query and passage encoders.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "corag/models/bert_model.hpp"
#include "corag/models/retriever.hpp"
#include "corag/util/hf_model_tensors.hpp"
#include "model_fixtures.hpp"
#include "models/model_test_support.hpp"

using namespace corag;
using namespace corag::test;

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
  CHECK(read_text(copy / "vocab.txt") == read_text(tiny_vocab_file()));
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
  // The query encoder starts as a copy of the passage encoder's weights and alone trains.
  const auto frozen = retriever.passage_encoder()->named_parameters();
  for (const auto& item : retriever.query_encoder()->named_parameters()) {
    INFO(item.key());
    CHECK(torch::equal(item.value(), frozen[item.key()]));
    CHECK(item.value().data_ptr() != frozen[item.key()].data_ptr());
    CHECK(item.value().requires_grad());
    CHECK_FALSE(frozen[item.key()].requires_grad());
  }
  {
    torch::NoGradGuard no_grad;
    for (auto& parameter : retriever.query_encoder()->parameters()) parameter.add_(0.01);
  }
  const auto passages = retriever.embed_passages({"the book"}, 1);
  CHECK(!torch::allclose(retriever.embed_queries({"the book"}, 1), passages));
  const auto separate = dir / "separate";
  retriever.save(separate);
  // Each encoder's directory is a whole HF BERT directory, tokenizer included.
  CHECK(read_text(separate / "passage_encoder" / "vocab.txt") == read_text(tiny_vocab_file()));
  auto reloaded = Retriever::load(separate, torch::kCPU);
  CHECK(!reloaded.encoders_shared());
  check_close(reloaded.embed_passages({"the book"}, 1), passages, 0.0);
  check_close(reloaded.embed_queries({"the book"}, 1), retriever.embed_queries({"the book"}, 1), 0.0);
}
