// scripts/convert_atlas_checkpoint.py on checkpoints in Atlas's model.pth.tar layout that the test
// writes itself (tests/tools/write_atlas_checkpoint.py, from random HF directories made by
// `corag model init`): the converted directories hold exactly the original tensors, corag loads
// them, and a checkpoint whose unpickling would run code is refused without running it.
#include <map>

#include <torch/torch.h>

#include "corag/models/fid_reader.hpp"
#include "corag/models/retriever.hpp"
#include "corag/util/hf_model_tensors.hpp"
#include "model_fixtures.hpp"
#include "test_support.hpp"

using corag::test::read_text;
using corag::test::run_command;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

const std::string& corag_cli = corag::test::quiet_corag_cli;
const std::string python = "/usr/bin/python3 ";
const std::string converter = python + CORAG_SOURCE_DIR "/scripts/convert_atlas_checkpoint.py ";
const std::string writer = python + CORAG_SOURCE_DIR "/tests/tools/write_atlas_checkpoint.py ";

std::map<std::string, torch::Tensor> tensors(const std::filesystem::path& model_dir) {
  corag::HfModelTensors file(model_dir);
  std::map<std::string, torch::Tensor> out;
  for (const auto& name : file.names()) out[name] = file.tensor(name).clone();
  return out;
}

void check_same(const std::map<std::string, torch::Tensor>& got, const std::map<std::string, torch::Tensor>& expected,
                double offset = 0.0) {
  REQUIRE(got.size() == expected.size());
  for (const auto& [name, tensor] : expected) {
    INFO(name);
    REQUIRE(got.count(name) == 1);
    CHECK(torch::equal(got.at(name), tensor + offset));
  }
}

}  // namespace

TEST_CASE("convert_atlas_checkpoint.py: Atlas's reader and retriever become corag's two HF directories",
          "[e2e][models]") {
  TempDir dir;
  write_text(dir / "t5.json", corag::test::tiny_t5_config_json(true));
  write_text(dir / "bert.json", corag::test::tiny_bert_config_json());
  REQUIRE(run_command(dir, corag_cli + " model init --arch t5 --config " + (dir / "t5.json").string() +
                               " --tokenizer " + corag::test::tiny_spiece_model().string() + " --out " +
                               (dir / "t5").string())
              .exit_code == 0);
  REQUIRE(run_command(dir, corag_cli + " model init --arch bert --config " + (dir / "bert.json").string() +
                               " --tokenizer " + corag::test::tiny_vocab_file().string() + " --out " +
                               (dir / "bert").string())
              .exit_code == 0);
  const auto reader = tensors(dir / "t5"), retriever = tensors(dir / "bert");
  const std::string sources = " --reader " + (dir / "t5").string() + " --retriever " + (dir / "bert").string();
  const std::string tokenizers = " --reader-tokenizer " + (dir / "t5").string() + " --retriever-tokenizer " +
                                 (dir / "bert").string() + " --retriever-config " + (dir / "bert/config.json").string();

  SECTION("tied retriever, opt as argparse.Namespace, config inferred from the tensors") {
    REQUIRE(run_command(dir, writer + sources + " --retriever-mode tied --out " + (dir / "model.pth.tar").string())
                .exit_code == 0);
    const auto converted = run_command(
        dir, converter + (dir / "model.pth.tar").string() + tokenizers + " --out " + (dir / "atlas").string());
    INFO(converted.err);
    REQUIRE(converted.exit_code == 0);
    check_same(tensors(dir / "atlas/reader"), reader);
    check_same(tensors(dir / "atlas/retriever"), retriever);
    CHECK(!std::filesystem::exists(dir / "atlas/retriever/passage_encoder"));
    const auto config = nlohmann::json::parse(read_text(dir / "atlas/reader/config.json"));
    CHECK(config["d_model"] == 32);
    CHECK(config["num_heads"] == 4);
    CHECK(config["d_kv"] == 8);
    CHECK(config["d_ff"] == 64);
    CHECK(config["num_layers"] == 2);
    CHECK(config["num_decoder_layers"] == 3);
    CHECK(config["relative_attention_num_buckets"] == 8);
    CHECK(config["feed_forward_proj"] == "gated-gelu");
    CHECK(config["tie_word_embeddings"] == false);
    CHECK(read_text(dir / "atlas/reader/spiece.model") == read_text(dir / "t5/spiece.model"));
    CHECK(read_text(dir / "atlas/retriever/vocab.txt") == read_text(dir / "bert/vocab.txt"));
    // corag loads both as they are.
    auto loaded = corag::FidReader::load(dir / "atlas/reader", torch::kCPU);
    CHECK(loaded.model()->config().num_decoder_layers == 3);
    CHECK(corag::Retriever::load(dir / "atlas/retriever", torch::kCPU).encoders_shared());
  }

  SECTION("untied retriever saved from DDP, no opt: a separate passage encoder with its tokenizer") {
    REQUIRE(run_command(dir, writer + sources + " --retriever-mode untied --ddp --opt none --out " +
                                 (dir / "model.pth.tar").string())
                .exit_code == 0);
    const auto converted =
        run_command(dir, converter + (dir / "model.pth.tar").string() + tokenizers + " --reader-config " +
                             (dir / "t5/config.json").string() + " --out " + (dir / "atlas").string());
    INFO(converted.err);
    REQUIRE(converted.exit_code == 0);
    check_same(tensors(dir / "atlas/reader"), reader);
    check_same(tensors(dir / "atlas/retriever"), retriever);
    check_same(tensors(dir / "atlas/retriever/passage_encoder"), retriever, 1.0);
    CHECK(std::filesystem::exists(dir / "atlas/retriever/passage_encoder/vocab.txt"));
    CHECK(nlohmann::json::parse(read_text(dir / "atlas/reader/config.json")) ==
          nlohmann::json::parse(read_text(dir / "t5/config.json")));
    CHECK(!corag::Retriever::load(dir / "atlas/retriever", torch::kCPU).encoders_shared());
  }

  SECTION("a checkpoint whose unpickling would run code is refused, and the code does not run") {
    const auto marker = dir / "ran";
    REQUIRE(run_command(dir, writer + sources + " --retriever-mode tied --opt hostile --marker " + marker.string() +
                                 " --out " + (dir / "model.pth.tar").string())
                .exit_code == 0);
    const auto refused = run_command(
        dir, converter + (dir / "model.pth.tar").string() + tokenizers + " --out " + (dir / "atlas").string());
    CHECK(refused.exit_code != 0);
    CHECK(!std::filesystem::exists(marker));
    CHECK(!std::filesystem::exists(dir / "atlas/reader/model.safetensors"));
  }
}
