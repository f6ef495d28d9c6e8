// Parity with Hugging Face `transformers`: compares corag's outputs on the models and inputs that
// scripts/make_hf_fixtures.py saved under tests/data/hf/ with the values HF computed for them
// (fp32 on the CPU: |diff| <= 1e-4; token ids and greedy tokens identical). Built only when the
// fixtures are present (see tests/CMakeLists.txt).
#ifdef CORAG_HF_FIXTURES_DIR

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "corag/models/fid_reader.hpp"
#include "corag/models/reader_record.hpp"
#include "corag/models/retriever.hpp"
#include "test_support.hpp"

using namespace corag;

namespace {

const std::filesystem::path fixtures_dir = CORAG_HF_FIXTURES_DIR;

nlohmann::json expected() { return nlohmann::json::parse(test::read_text(fixtures_dir / "expected.json")); }

void flatten_numbers(const nlohmann::json& value, std::vector<double>& out) {
  if (!value.is_array()) {
    out.push_back(value.get<double>());
    return;
  }
  for (const auto& item : value) flatten_numbers(item, out);
}

double max_abs_diff(const torch::Tensor& ours, const nlohmann::json& theirs) {
  std::vector<double> values;
  flatten_numbers(theirs, values);
  REQUIRE(static_cast<std::int64_t>(values.size()) == ours.numel());
  const auto reference = torch::tensor(values, torch::kFloat64).view(ours.sizes());
  return (ours.to(torch::kFloat64) - reference).abs().max().item<double>();
}

}  // namespace

TEST_CASE("HF parity: BERT tokenizer ids and Contriever embeddings", "[models][hf]") {
  const auto golden = expected()["bert"];
  auto retriever = Retriever::load(fixtures_dir / golden["dir"].get<std::string>(), torch::kCPU);
  for (const auto& [text, ids] : golden["tokens"].items()) {
    INFO("text: " << text);
    CHECK(retriever.tokenizer().encode(text, 512) == ids.get<std::vector<std::int64_t>>());
  }
  const auto texts = golden["texts"].get<std::vector<std::string>>();
  const auto embeddings = retriever.embed_queries(texts, texts.size());
  CHECK(max_abs_diff(embeddings, golden["embeddings"]) <= 1e-4);
}

TEST_CASE("HF parity: T5 tokenizer ids, FiD and per-passage NLL, greedy tokens (both T5 families)", "[models][hf]") {
  const auto all = expected();  // kept alive: the loop below refers into it
  for (const auto& golden : all["readers"]) {
    const auto name = golden["dir"].get<std::string>();
    INFO("reader: " << name);
    auto reader =
        FidReader::load(fixtures_dir / name, torch::kCPU,
                        {golden["text_maxlength"].get<std::size_t>(), golden["answer_maxlength"].get<std::size_t>()});
    reader.model()->eval();
    for (const auto& [text, ids] : golden["tokens"].items()) {
      INFO("text: " << text);
      CHECK(reader.tokenizer().encode(text) == ids.get<std::vector<std::int64_t>>());
    }
    torch::NoGradGuard no_grad;
    const auto& examples = golden["examples"];
    for (std::size_t i = 0; i < examples.size(); ++i) {
      INFO("example " << i);
      const auto record = parse_reader_record(examples[i], "expected.json", AnswersPolicy::required);
      const auto target = reader.target_ids(record.qa.answers.front());
      CHECK(reader.encoder_ids(record.example) == golden["input_ids"][i].get<std::vector<std::vector<std::int64_t>>>());
      CHECK(target == golden["target_ids"][i].get<std::vector<std::int64_t>>());
      const auto encoding = reader.encode({record.example});
      CHECK(std::abs(reader.fid_nll(encoding, {target})[0].item<double>() - golden["nll"][i].get<double>()) <= 1e-4);
      if (!record.example.passages.empty()) {
        CHECK(max_abs_diff(reader.passage_nll(encoding, {target})[0], golden["passage_nll"][i]) <= 1e-4);
      }
      CHECK(reader.generate(encoding, golden["max_new_tokens"].get<std::size_t>())[0] ==
            golden["generated"][i].get<std::vector<std::int64_t>>());
    }
  }
}

#endif  // CORAG_HF_FIXTURES_DIR
