// `corag model init`, `embed`, `reader score` and `generate` run as a user runs them.
#include <nlohmann/json.hpp>

#include "corag/util/safetensors_reader.hpp"
#include "model_fixtures.hpp"
#include "test_support.hpp"

using corag::test::read_jsonl;
using corag::test::read_text;
using corag::test::run_command;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

const std::string& corag_cli = corag::test::quiet_corag_cli;

}  // namespace

TEST_CASE("corag model init + embed write HF directories and one embeddings tensor in input order", "[e2e][models]") {
  TempDir dir;
  write_text(dir / "bert.json", corag::test::tiny_bert_config_json());
  const auto init = run_command(dir, corag_cli + " model init --arch bert --config " + (dir / "bert.json").string() +
                                         " --tokenizer " + corag::test::tiny_vocab_file().string() + " --out " +
                                         (dir / "bert").string() + " --seed 5");
  REQUIRE(init.exit_code == 0);
  CHECK(std::filesystem::exists(dir / "bert/model.safetensors"));
  CHECK(std::filesystem::exists(dir / "bert/vocab.txt"));
  CHECK(nlohmann::json::parse(read_text(dir / "bert/config.json"))["vocab_size"] == 29);

  write_text(dir / "queries.jsonl",
             "{\"question\": \"who wrote the book\"}\n{\"question\": \"the city\"}\n"
             "{\"question\": \"who wrote the book\"}\n");
  const auto embed = run_command(dir, corag_cli + " embed --retriever " + (dir / "bert").string() + " --input " +
                                          (dir / "queries.jsonl").string() + " --out " +
                                          (dir / "q.safetensors").string() + " --batch-size 2 --threads 1");
  REQUIRE(embed.exit_code == 0);
  const corag::SafetensorsReader queries(dir / "q.safetensors");
  REQUIRE(queries.entries().size() == 1);
  const auto embeddings = queries.tensor("embeddings");
  CHECK(embeddings.sizes() == c10::IntArrayRef({3, 32}));
  CHECK(embeddings.scalar_type() == torch::kFloat32);
  CHECK(torch::allclose(embeddings[0], embeddings[2], 1e-5, 1e-6));
  CHECK(!torch::allclose(embeddings[0], embeddings[1]));

  // Passages are embedded as "{title} {text}".
  write_text(dir / "passages.jsonl", "{\"id\": \"1\", \"title\": \"who wrote\", \"text\": \"the book\"}\n");
  REQUIRE(run_command(dir, corag_cli + " embed --kind passage --retriever " + (dir / "bert").string() + " --input " +
                               (dir / "passages.jsonl").string() + " --out " + (dir / "p.safetensors").string())
              .exit_code == 0);
  const auto passage = corag::SafetensorsReader(dir / "p.safetensors").tensor("embeddings");
  CHECK(torch::allclose(passage[0], embeddings[0], 1e-5, 1e-6));

  const auto bad =
      run_command(dir, corag_cli + " embed --kind passage --retriever " + (dir / "bert").string() + " --input " +
                           (dir / "queries.jsonl").string() + " --out " + (dir / "x.safetensors").string());
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.err, Catch::Contains("queries.jsonl:1") && Catch::Contains("text"));
  CHECK(!std::filesystem::exists(dir / "x.safetensors"));
}

TEST_CASE("corag reader score and generate on a random T5 reader", "[e2e][models]") {
  TempDir dir;
  write_text(dir / "t5.json", corag::test::tiny_t5_config_json(true));
  REQUIRE(run_command(dir, corag_cli + " model init --arch t5 --config " + (dir / "t5.json").string() +
                               " --tokenizer " + corag::test::tiny_spiece_model().string() + " --out " +
                               (dir / "t5").string())
              .exit_code == 0);
  write_text(
      dir / "input.jsonl",
      R"({"id": "q1", "question": "who wrote the book", "answers": ["a city", "b"], "passages": [{"title": "Paris", "text": "the capital of france"}, {"title": "Book", "text": "written in france"}]})"
      "\n"
      R"({"question": "what is the capital of france", "answers": ["paris"], "passages": [{"title": "France", "text": "paris"}]})"
      "\n"
      R"({"question": "who wrote the book", "answers": ["a city"]})"
      "\n");
  const auto score = run_command(dir, corag_cli + " reader score --reader " + (dir / "t5").string() + " --input " +
                                          (dir / "input.jsonl").string() + " --out " + (dir / "scores.jsonl").string() +
                                          " --emit-tokens --batch-size 2 --text-maxlength 24");
  REQUIRE(score.exit_code == 0);
  const auto scores = read_jsonl(dir / "scores.jsonl");
  REQUIRE(scores.size() == 3);
  CHECK(scores[0]["id"] == "q1");
  CHECK(scores[0]["passage_nll"].size() == 2);
  CHECK(scores[1]["passage_nll"].size() == 1);
  CHECK(scores[2]["passage_nll"].empty());
  CHECK(scores[0]["input_ids"].size() == 2);
  CHECK(scores[2]["input_ids"].size() == 1);  // closed-book: the query alone
  for (const auto& ids : scores[0]["input_ids"]) {
    CHECK(ids.size() <= 24);
    CHECK(ids.back() == 1);
  }
  const auto target = scores[0]["target_ids"];
  CHECK(target.front() == 355);  // <extra_id_0>
  CHECK(target.back() == 1);
  // FiD over one passage is that passage's own score.
  CHECK(scores[1]["nll"].get<double>() == Approx(scores[1]["passage_nll"][0].get<double>()).epsilon(1e-5));
  CHECK(scores[0]["nll"].get<double>() > 0.0);

  const auto generate = run_command(dir, corag_cli + " generate --reader " + (dir / "t5").string() + " --input " +
                                             (dir / "input.jsonl").string() + " --out " + (dir / "gen.jsonl").string() +
                                             " --max-new-tokens 6");
  REQUIRE(generate.exit_code == 0);
  const auto generated = read_jsonl(dir / "gen.jsonl");
  REQUIRE(generated.size() == 3);
  CHECK(generated[0]["id"] == "q1");
  for (const auto& line : generated) {
    CHECK(line["token_ids"].size() >= 1);
    CHECK(line["token_ids"].size() <= 6);
    CHECK(line["prediction"].is_string());
  }
  REQUIRE(run_command(dir, corag_cli + " generate --batch-size 1 --reader " + (dir / "t5").string() + " --input " +
                               (dir / "input.jsonl").string() + " --out " + (dir / "gen1.jsonl").string() +
                               " --max-new-tokens 6")
              .exit_code == 0);
  CHECK(read_jsonl(dir / "gen1.jsonl") == generated);

  write_text(dir / "no-answers.jsonl", "{\"question\": \"who\"}\n");
  const auto missing =
      run_command(dir, corag_cli + " reader score --reader " + (dir / "t5").string() + " --input " +
                           (dir / "no-answers.jsonl").string() + " --out " + (dir / "s.jsonl").string());
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("no-answers.jsonl:1"));
  CHECK(!std::filesystem::exists(dir / "s.jsonl"));
}
