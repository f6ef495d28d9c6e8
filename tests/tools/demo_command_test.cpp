// `corag demo --quick` end to end: every stage of the pipeline on a toy world, paper tables 1
// and 3 built from the runs' own summaries, every stage reused on a rerun, and another seed
// refused on the same output directory.
#include <chrono>
#include <cstdio>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/util/child_process.hpp"
#include "corag/util/output_lock.hpp"
#include "test_support.hpp"

using corag::test::read_text;
using corag::test::run_command;
using corag::test::TempDir;

namespace {

std::string two_decimals(double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", value);
  return text;
}

}  // namespace

TEST_CASE("corag demo --quick: synth, pretrain, index, CRAB, 14 runs and the paper's tables", "[e2e][demo]") {
  TempDir dir;
  const auto out = dir / "demo";
  const std::string demo = std::string(CORAG_CLI_PATH) + " demo --quick --jobs 2 --out " + out.string();
  auto result = run_command(dir, demo);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  CHECK(read_text(out / "tables.md") == result.out);

  const auto log = nlohmann::json::parse(read_text(out / "demo.json"));
  REQUIRE(log["stages"].size() == 18);
  for (const auto& stage : log["stages"]) CHECK_FALSE(stage["reused"].get<bool>());
  CHECK(log["jobs"] == 2);
  for (const auto* file : {"world/world.json", "models/pretrain.json", "embeddings/meta.json", "crab/manifest.json",
                           "configs/synth.yaml", "configs/pretrain.yaml", "configs/crab.yaml"}) {
    CHECK(std::filesystem::exists(out / file));
  }
  // Each run was trained by a child `corag train` with the config it kept, and logged.
  for (const auto& entry : std::filesystem::directory_iterator(out / "runs")) {
    const auto name = entry.path().filename().string();
    INFO(name);
    CHECK(read_text(out / "configs" / "runs" / (name + ".yaml")) == read_text(entry.path() / "config.resolved.yaml"));
    CHECK(read_text(out / "logs" / (name + ".log")).find("| client | EM | F1 | n |") != std::string::npos);
  }

  // Each run is cited in its table rows, and the EM column its source stands under is the run's
  // reported average ("| row | EM | EM | source; source |").
  std::size_t runs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(out / "runs")) {
    const auto name = entry.path().filename().string();
    const auto em =
        two_decimals(nlohmann::json::parse(read_text(entry.path() / "summary.json"))["average"]["em"].get<double>());
    std::size_t citations = 0;
    std::istringstream lines(result.out);
    for (std::string line; std::getline(lines, line);) {
      const auto cited = line.find("runs/" + name + " (");
      if (cited == std::string::npos) continue;
      ++citations;
      std::vector<std::string> cells;
      std::istringstream row(line);
      for (std::string cell; std::getline(row, cell, '|');) cells.push_back(cell);
      REQUIRE(cells.size() == 5);  // "", row name, EM, EM, sources
      const bool second = line.find("; runs/" + name + " (") != std::string::npos;
      INFO(line);
      CHECK(cells[second ? 3 : 2] == " " + em + " ");
    }
    CHECK(citations >= 1);
    ++runs;
  }
  CHECK(runs == 14);
  for (const auto* row : {"| REL |", "| IRR |", "| REL-1 |", "| SPLIT |", "| closed-book |", "| local |",
                          "| centralized |", "| collaborative |"}) {
    CHECK(result.out.find(row) != std::string::npos);
  }
  const auto collaborative =
      nlohmann::json::parse(read_text(out / "runs" / "REL-8shot-collaborative" / "summary.json"));
  CHECK(collaborative["mode"] == "collaborative");
  CHECK(collaborative["variant"] == "REL");
  const auto closed_book = nlohmann::json::parse(read_text(out / "runs" / "REL-8shot-closed-book" / "summary.json"));
  CHECK(closed_book["variant"] == "closed-book");

  // Python reads what the demo wrote with Debian's python3-faiss and python3-torch alone
  // (scripts/python_interop.py): FAISS's search of the store equals corag retrieve's, the best
  // models and the optimizer state load with the shapes their names say.
  const auto interop = run_command(
      dir, "/usr/bin/python3 " CORAG_SOURCE_DIR "/scripts/python_interop.py --corag " CORAG_CLI_PATH " --store " +
               (out / "embeddings").string() + " --retriever " + (out / "models" / "retriever").string() +
               " --queries " + (out / "world" / "qa.test_pool.jsonl").string() + " --run " +
               (out / "runs" / "REL-8shot-centralized").string() + " --work " + (dir / "interop").string());
  INFO(interop.out + interop.err);
  CHECK(interop.exit_code == 0);
  CHECK_THAT(interop.out, Catch::Contains("= corag retrieve for 120 of 120 questions") &&
                              Catch::Contains("each named and shaped like its parameter"));

  result = run_command(dir, demo);  // finished: every stage reused, the same tables
  REQUIRE(result.exit_code == 0);
  CHECK(result.out == read_text(out / "tables.md"));
  // Bound first: iterating a member of the temporary read back freed memory (found by ASan).
  const auto rerun_log = nlohmann::json::parse(read_text(out / "demo.json"));
  for (const auto& stage : rerun_log["stages"]) CHECK(stage["reused"].get<bool>());

  result = run_command(dir, demo + " --seed 1");
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("other settings") != std::string::npos);

  // The demo ran the committed configs/demo*.yaml, built into corag, and kept them.
  std::size_t configs = 0;
  for (const auto& entry : std::filesystem::directory_iterator(PROJECT_CONFIG_DIR)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("demo", 0) != 0) continue;
    INFO(name);
    CHECK(read_text(out / "configs" / "source" / name) == read_text(entry.path()));
    ++configs;
  }
  CHECK(configs == 8);
  CHECK_FALSE(std::filesystem::exists(out / "configs" / ".source.tmp"));

  // --configs: a folder of edited copies. Edited settings are another demo for the same OUT, and a
  // config the demo cannot run is refused, naming its file, before anything is written.
  const auto mine = dir / "mine";
  std::filesystem::create_directories(mine);
  for (const auto& entry : std::filesystem::directory_iterator(out / "configs" / "source")) {
    std::filesystem::copy_file(entry.path(), mine / entry.path().filename());
  }
  corag::test::write_text(mine / "demo-quick-train.yaml", "extends: demo-train.yaml\neval:\n  max_questions: 5\n");
  result = run_command(dir, demo + " --configs " + mine.string());
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("other settings"));
  corag::test::write_text(mine / "demo-quick-crab.yaml", "extends: demo-crab.yaml\nsplits:\n  shots: [4]\n");
  const auto other = dir / "other";
  result = run_command(
      dir, std::string(CORAG_CLI_PATH) + " demo --quick --configs " + mine.string() + " --out " + other.string());
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err,
             Catch::Contains((mine / "demo-quick-crab.yaml").string() + ": the demo needs two shot levels"));
  CHECK_FALSE(std::filesystem::exists(other / "world"));
}

TEST_CASE("an output folder is written by one corag process at a time, a killed one leaves no lock or temporaries",
          "[e2e][demo]") {
  TempDir dir;
  const auto out = dir / "demo";
  std::optional<corag::ChildProcess> first(
      std::in_place, std::vector<std::string>{CORAG_CLI_PATH, "demo", "--quick", "--out", out.string()},
      dir / "first.log");
  // The first demo holds the lock from its start; wait for it (start-up takes about a second).
  std::string refusal;
  for (int tries = 0; tries < 600 && refusal.empty(); ++tries) {
    if (std::filesystem::exists(out / ".corag.lock")) {
      refusal = corag::test::error_message([&] { corag::OutputLock lock(out, "test"); });
    }
    if (refusal.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK_THAT(refusal, Catch::Contains("another corag process (pid") && Catch::Contains("is writing this folder"));
  const auto second = run_command(dir, std::string(CORAG_CLI_PATH) + " demo --quick --out " + out.string());
  CHECK(second.exit_code == 1);
  CHECK_THAT(second.err, Catch::Contains("another corag process"));

  // Killed mid-run: its lock goes with it, and what it left half-written is cleared.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  first.reset();
  corag::test::write_text(out / "world/.passages.jsonl.tmp-Kill01", "half");
  { const corag::OutputLock lock(out, "test"); }
  CHECK_FALSE(std::filesystem::exists(out / "world/.passages.jsonl.tmp-Kill01"));
}
