// `corag synth` and `corag pretrain` end to end, at toy sizes: a world, tokenizers, a
// contrastively pretrained retriever and a span-corruption reader that load like any HF
// checkpoint; a rerun reuses the finished models, another config is refused.
#include <nlohmann/json.hpp>

#include "corag/models/fid_reader.hpp"
#include "corag/models/retriever.hpp"
#include "test_support.hpp"

using corag::test::read_text;
using corag::test::run_command;
using corag::test::TempDir;
using corag::test::write_text;

TEST_CASE("corag synth and corag pretrain: a world and models trained from scratch on it", "[e2e][pretrain]") {
  TempDir dir;
  const std::string cli = CORAG_CLI_PATH;
  auto result = run_command(dir, cli + " synth --config " + std::string(PROJECT_CONFIG_DIR) +
                                     "/demo-world.yaml --out " + (dir / "world").string() +
                                     " --set world.people=40 --set world.places=8 --set world.organisations=8"
                                     " --set world.works=10 --set world.festivals=2 --set world.noise_passages=20"
                                     " --set world.questions=80");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(nlohmann::json::parse(result.out)["questions"] == 80);

  const std::string pretrain =
      cli + " pretrain --config " + std::string(PROJECT_CONFIG_DIR) + "/demo-pretrain.yaml --out " +
      (dir / "models").string() + " --set data.corpus=" + (dir / "world" / "passages.jsonl").string() +
      " --set data.tokenizer_questions=[" + (dir / "world" / "qa.jsonl").string() + "]" +
      " --set tokenizers.spiece_vocab_size=300 --set retriever.steps=6 --set retriever.batch_size=8"
      " --set reader.steps=6 --set reader.batch_size=4 --set runtime.threads=1 --set runtime.device=cpu";
  // The scratch store of a run killed after writing it (issue 24: the rerun refused to continue).
  std::filesystem::create_directories(dir / "models" / "pretrain_store");
  write_text(dir / "models" / "pretrain_store" / "meta.json", "{}");
  result = run_command(dir, pretrain);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto summary = nlohmann::json::parse(read_text(dir / "models" / "pretrain.json"));
  CHECK(summary["retriever_loss"].get<double>() > 0);
  CHECK(summary["reader_loss"].get<double>() > 0);
  CHECK(result.err.find("pretrain reader: step 6/6") != std::string::npos);
  CHECK(result.err.find("sentencepiece_trainer.cc") == std::string::npos);  // SentencePiece's banner stays quiet

  auto retriever = corag::Retriever::load(dir / "models" / "retriever", torch::kCPU);
  CHECK(retriever.dim() == 64);
  CHECK(retriever.embed_queries({"Where was he born?"}, 1).size(1) == 64);
  auto reader = corag::FidReader::load(dir / "models" / "reader", torch::kCPU);
  CHECK(reader.model()->config().d_model == 64);        // reader.d_model of configs/demo-pretrain.yaml
  CHECK(reader.model()->config().dropout_rate == 0.0);  // reader.dropout
  CHECK(reader.tokenizer().vocab_size() == reader.model()->config().vocab_size);
  // Digits are single pieces (tokenizers.spiece_split_digits): a year is four pieces more than a digit.
  CHECK(reader.tokenizer().encode("1709", 16).size() == reader.tokenizer().encode("1", 16).size() + 3);
  // The reader input format has colons and questions end in "?": the synthetic passages have neither
  // (":" and "?" are user-defined symbols; the questions now also join the tokenizers' text in the
  // reader-query template, retriever.query_format: reader).
  for (const auto id : reader.tokenizer().encode("question: when? answer: <extra_id_0> title: a context: the", 64))
    CHECK(id != corag::T5Tokenizer::kUnkId);
  // Question words the passages lack are whole WordPiece entries: they come from data.tokenizer_questions.
  const auto passages = read_text(dir / "world" / "passages.jsonl");
  const auto vocabulary = "\n" + read_text(dir / "models" / "vocab.txt");
  // So do the words of the reader-query template the retriever embeds ("<extra_id_0>" splits at "<", "_", ">").
  for (const std::string word : {"occupation", "which", "question", "answer", "extra"}) {
    INFO(word);
    REQUIRE(passages.find(word) == std::string::npos);
    CHECK(vocabulary.find("\n" + word + "\n") != std::string::npos);
  }
  CHECK_FALSE(std::filesystem::exists(dir / "models" / "pretrain_store"));

  // Finished: reused as it is. A kill just after pretrain.json took its name leaves the progress
  // marker, which the rerun removes.
  write_text(dir / "models" / "pretrain.config", "left by a kill");
  result = run_command(dir, pretrain);
  REQUIRE(result.exit_code == 0);
  CHECK(result.err.find("reusing") != std::string::npos);
  CHECK(read_text(dir / "models" / "pretrain.json") == summary.dump(2) + "\n");
  CHECK_FALSE(std::filesystem::exists(dir / "models" / "pretrain.config"));
  // Killed after the retriever stage: the rerun trains the reader again and reports both losses
  // (the reused stage's loss was missing from pretrain.json).
  std::filesystem::remove(dir / "models" / "pretrain.json");
  std::filesystem::remove_all(dir / "models" / "reader");
  result = run_command(dir, pretrain);
  REQUIRE(result.exit_code == 0);
  const auto resumed = nlohmann::json::parse(read_text(dir / "models" / "pretrain.json"));
  CHECK(resumed["retriever_loss"] == summary["retriever_loss"]);
  CHECK(resumed["reader_loss"] == summary["reader_loss"]);
  result = run_command(dir, pretrain + " --set reader.steps=7");
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("another config") != std::string::npos);
}
