// Runs the built tools the way a user does and checks what they print and how they exit.
#include "corag/util/safetensors_writer.hpp"
#include "test_support.hpp"

using corag::test::read_text;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

using Result = corag::test::CommandResult;
const auto run = corag::test::run_command;
const std::string corag_cli = CORAG_CLI_PATH;

}  // namespace

TEST_CASE("corag on a bad config prints the error and exits 1", "[e2e][cli]") {
  TempDir dir;
  write_text(dir / "bad.yaml", "train:\n  lr: 1e-4\n  stpes: 10\n");
  const Result result = run(dir, corag_cli + " config --config " + (dir / "bad.yaml").string());
  CHECK(result.exit_code == 1);
  CHECK(result.err ==
        "error: " + (dir / "bad.yaml").string() + ":3: unknown key 'train.stpes' (did you mean 'train.steps'?)\n");
  CHECK(result.out.empty());
}

TEST_CASE("corag config prints and writes the resolved config", "[e2e][cli]") {
  TempDir dir;
  write_text(dir / "ok.yaml", "train:\n  mode: centralized\n");
  const Result result = run(dir, corag_cli + " config --quiet --config " + (dir / "ok.yaml").string() +
                                     " --set runtime.device=cpu --set train.steps=7 --out " + (dir / "run").string());
  CHECK(result.exit_code == 0);
  CHECK(result.err.empty());
  CHECK_THAT(result.out, Catch::Contains("mode: \"centralized\"") && Catch::Contains("steps: 7"));
  CHECK(read_text(dir / "run/config.resolved.yaml") == result.out);

  // Every kind of config, told from its sections (crab.yaml was refused as an experiment config).
  for (const auto& [file, expected] :
       std::vector<std::pair<std::string, std::string>>{{"crab.yaml", "splits:"},
                                                        {"demo-pretrain.yaml", "tokenizers:"},
                                                        {"demo-world.yaml", "world:"},
                                                        {"crab64.yaml", "federated:"},
                                                        {"sweeps/paper.yaml", "sweep:"}}) {
    INFO(file);
    // (The corpus is a required key of CRAB and pretraining configs; its file is not read here.)
    const std::string corpus = file == "crab.yaml" || file == "demo-pretrain.yaml" ? " --set data.corpus=c.jsonl" : "";
    const Result kind = run(dir, corag_cli + " config --quiet --config " PROJECT_CONFIG_DIR "/" + file + corpus);
    CHECK(kind.exit_code == 0);
    CHECK_THAT(kind.out, Catch::StartsWith(expected) || Catch::Contains("\n" + expected));
  }
  write_text(dir / "mixed.yaml", "splits:\n  clients: 2\ntrain:\n  steps: 3\n");
  const Result mixed = run(dir, corag_cli + " config --config " + (dir / "mixed.yaml").string());
  CHECK(mixed.exit_code == 1);
  CHECK_THAT(mixed.err, Catch::Contains("has sections of a") && Catch::Contains("--kind"));
  const Result forced = run(dir, corag_cli + " config --kind crab --config " + (dir / "ok.yaml").string());
  CHECK(forced.exit_code == 1);
  CHECK_THAT(forced.err, Catch::Contains("unknown section 'train'"));
}

TEST_CASE("usage errors exit 2, help and version exit 0", "[e2e][cli]") {
  TempDir dir;
  CHECK(run(dir, corag_cli + " --no-such-flag").exit_code == 2);
  CHECK(run(dir, corag_cli).exit_code == 2);  // a subcommand is required
  CHECK(run(dir, corag_cli + " config --set").exit_code == 2);
  CHECK(run(dir, corag_cli + " --log-level loud config").exit_code == 1);

  const Result help = run(dir, corag_cli + " --help");
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("config") && Catch::Contains("inspect") && Catch::Contains("data-check"));

  const Result version = run(dir, corag_cli + " --version");
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.out, Catch::Contains("corag " CORAG_VERSION) && Catch::Contains("LibTorch ") &&
                              Catch::Contains("FAISS 1.") && Catch::Contains("CUDA "));
}

TEST_CASE("corag inspect lists a checkpoint's tensors", "[e2e][cli]") {
  TempDir dir;
  corag::write_safetensors(dir / "m.safetensors",
                           {{"encoder.w", torch::zeros({4, 8})}, {"b", torch::zeros({8}, torch::kBFloat16)}});
  const Result result = run(dir, corag_cli + " inspect " + (dir / "m.safetensors").string());
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("encoder.w") && Catch::Contains("F32") && Catch::Contains("[4, 8]") &&
                             Catch::Contains("BF16") && Catch::Contains("2 tensors, 40 values"));

  write_text(dir / "broken.safetensors", std::string("\x10\0\0\0\0\0\0\0{not json}      ", 24));
  const Result broken = run(dir, corag_cli + " inspect " + (dir / "broken.safetensors").string());
  CHECK(broken.exit_code == 1);
  CHECK_THAT(broken.err, Catch::StartsWith("error: ") && Catch::Contains("broken.safetensors header: invalid JSON"));
}

TEST_CASE("corag data-check validates the real NQ-open files", "[e2e][cli]") {
  TempDir dir;
  const std::string nq = CORAG_NQ_OPEN_DIR;
  const Result result = run(dir, corag_cli + " data-check --qa " + nq + "/NQ-open.dev.jsonl");
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("1000 questions (0 with id)"));

  write_text(dir / "bad.jsonl", "{\"question\": \"q\", \"answers\": [\"a\"]}\n{\"question\": \"q2\"}\n");
  const Result bad = run(dir, corag_cli + " data-check --qa " + (dir / "bad.jsonl").string());
  CHECK(bad.exit_code == 1);
  CHECK(bad.err == "error: " + (dir / "bad.jsonl").string() + ":2: missing 'answers' (or NQ-open 'answer')\n");
}

TEST_CASE("crab-build-stores reports every config problem at once and exits 1", "[e2e][cli]") {
  TempDir dir;
  write_text(dir / "crab.yaml", "splits:\n  clients: 3\n  test_size: 10\n");
  const Result result = run(dir, std::string(CORAG_CRAB_BUILD_STORES_PATH) + " --config " +
                                     (dir / "crab.yaml").string() + " --out " + (dir / "out").string());
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::StartsWith("error: ") && Catch::Contains("data.corpus") &&
                             Catch::Contains("data.test_pool") && Catch::Contains("splits.test_size"));
  CHECK(!std::filesystem::exists(dir / "out"));
  CHECK(run(dir, std::string(CORAG_CRAB_BUILD_STORES_PATH)).exit_code == 2);  // --config and --out are required

  // A path that does not exist is named by its config key, before anything is written (it was an
  // "internal error: filesystem error" without the key).
  write_text(dir / "corpus.jsonl", "{\"id\": \"1\", \"text\": \"t\"}\n");
  write_text(dir / "paths.yaml", "data:\n  corpus: " + (dir / "corpus.jsonl").string() +
                                     "\n  test_pool: " + (dir / "nope.jsonl").string() + "\n  train_pool: [" +
                                     (dir / "corpus.jsonl").string() +
                                     "]\nbm25:\n  run: " + (dir / "nope.trec").string() + "\n");
  const Result missing = run(dir, std::string(CORAG_CRAB_BUILD_STORES_PATH) + " --config " +
                                      (dir / "paths.yaml").string() + " --out " + (dir / "out").string());
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("data.test_pool: " + (dir / "nope.jsonl").string() + ": no such file") &&
                              Catch::Contains("bm25.run: " + (dir / "nope.trec").string() + ": no such file"));
  CHECK(!std::filesystem::exists(dir / "out"));
}
