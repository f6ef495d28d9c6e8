#include "models/model_test_support.hpp"

#include <nlohmann/json.hpp>

#include "corag/models/random_checkpoint.hpp"
#include "model_fixtures.hpp"

namespace corag::test {

std::filesystem::path make_reader(const TempDir& dir, bool v1_1, std::uint64_t seed) {
  const auto out = dir / (v1_1 ? "t5-v1_1" : "t5");
  write_random_reader(nlohmann::json::parse(tiny_t5_config_json(v1_1)), tiny_spiece_model(), out, seed);
  return out;
}

std::filesystem::path make_retriever(const TempDir& dir, std::uint64_t seed) {
  const auto out = dir / "bert";
  write_random_retriever(nlohmann::json::parse(tiny_bert_config_json()), tiny_vocab_file(), out, seed);
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

void check_close(const torch::Tensor& a, const torch::Tensor& b, double tolerance) {
  REQUIRE(a.sizes() == b.sizes());
  CHECK((a - b).abs().max().item<double>() <= tolerance);
}

}  // namespace corag::test
