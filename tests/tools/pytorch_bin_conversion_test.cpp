// scripts/convert_pytorch_bin.py on pytorch_model.bin files that python3-torch writes
// (tests/tools/write_pytorch_bin.py, from random HF directories made by `corag model init`): the
// converted model.safetensors holds exactly the original tensors and corag loads it, and a file
// whose unpickling would run code is refused without running it (weights_only=True).
#include <torch/torch.h>

#include "corag/models/fid_reader.hpp"
#include "corag/models/retriever.hpp"
#include "corag/util/hf_model_tensors.hpp"
#include "model_fixtures.hpp"
#include "test_support.hpp"

using corag::test::run_command;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

const std::string python = "/usr/bin/python3 ";
const std::string converter = python + CORAG_SOURCE_DIR "/scripts/convert_pytorch_bin.py ";
const std::string writer = python + CORAG_SOURCE_DIR "/tests/tools/write_pytorch_bin.py ";

void check_same_tensors(const std::filesystem::path& got, const std::filesystem::path& expected) {
  corag::HfModelTensors got_file(got), expected_file(expected);
  REQUIRE(got_file.names() == expected_file.names());
  for (const auto& name : expected_file.names()) {
    INFO(name);
    CHECK(torch::equal(got_file.tensor(name), expected_file.tensor(name)));
  }
}

}  // namespace

TEST_CASE("convert_pytorch_bin.py: pytorch_model.bin becomes model.safetensors, pickled code is refused",
          "[e2e][models]") {
  TempDir dir;
  write_text(dir / "t5.json", corag::test::tiny_t5_config_json(true));
  write_text(dir / "bert.json", corag::test::tiny_bert_config_json());
  for (const auto& [arch, tokenizer] :
       {std::pair<std::string, std::filesystem::path>{"t5", corag::test::tiny_spiece_model()},
        std::pair<std::string, std::filesystem::path>{"bert", corag::test::tiny_vocab_file()}}) {
    INFO(arch);
    REQUIRE(run_command(dir, corag::test::quiet_corag_cli + " model init --arch " + arch + " --config " +
                                 (dir / (arch + ".json")).string() + " --tokenizer " + tokenizer.string() + " --out " +
                                 (dir / arch).string())
                .exit_code == 0);
    const auto old = dir / (arch + "-bin");
    REQUIRE(run_command(dir, writer + "--model " + (dir / arch).string() + " --out " + old.string()).exit_code == 0);
    REQUIRE(!std::filesystem::exists(old / "model.safetensors"));
    const auto converted = run_command(dir, converter + old.string());
    INFO(converted.err);
    REQUIRE(converted.exit_code == 0);
    check_same_tensors(old, dir / arch);  // T5's tied copies written once, as transformers does
    if (arch == "t5") {
      CHECK(corag::FidReader::load(old, torch::kCPU).model()->config().d_model == 32);
    } else {
      CHECK(corag::Retriever::load(old, torch::kCPU).encoders_shared());
    }
  }

  const auto marker = dir / "ran";
  const auto hostile = dir / "hostile";
  REQUIRE(run_command(dir, writer + "--model " + (dir / "bert").string() + " --out " + hostile.string() +
                               " --hostile " + marker.string())
              .exit_code == 0);
  const auto refused = run_command(dir, converter + hostile.string());
  CHECK(refused.exit_code != 0);
  CHECK(!std::filesystem::exists(marker));
  CHECK(!std::filesystem::exists(hostile / "model.safetensors"));
}
