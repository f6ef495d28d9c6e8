// The cells of each paper experiment (corag sweep-plan, scripts/sweeps/) for hand-written sweep
// configs: names, overrides and the equal-epoch schedule worked out by hand.
#include <algorithm>

#include "corag/config/config_reader.hpp"
#include "corag/train/sweep_plan.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

/// A sweep config beside an experiment config of 4 clients, batch 4, 2 rounds x 3 local epochs.
std::filesystem::path write_sweep(const TempDir& dir, const std::string& sweep_body) {
  write_text(dir / "train.yaml",
             "data:\n  clients: 4\ntrain:\n  batch_size: 4\nfederated:\n  rounds: 2\n  local_epochs: 3\n");
  write_text(dir / "sweep.yaml", "sweep:\n  config: train.yaml\n" + sweep_body);
  return dir / "sweep.yaml";
}

SweepPlan plan(const std::filesystem::path& file, SweepExperiment experiment) {
  return plan_sweep(load_config<SweepConfig>(file, {}), experiment, "/sweep");
}

std::vector<std::string> names(const SweepPlan& plan) {
  std::vector<std::string> out;
  for (const auto& cell : plan.cells) out.push_back(cell.name);
  return out;
}

const SweepCell& cell_named(const SweepPlan& plan, const std::string& name) {
  const auto found =
      std::find_if(plan.cells.begin(), plan.cells.end(), [&](const SweepCell& cell) { return cell.name == name; });
  REQUIRE(found != plan.cells.end());
  return *found;
}

}  // namespace

TEST_CASE("sweep plan: tables 1 and 3 with the demo's equal-epoch schedule", "[train][sweep]") {
  TempDir dir;
  const auto file =
      write_sweep(dir, "  shots: [16, 64]\n  closed_book_modes: [centralized]\n  schedule: equal_epochs\n");
  const auto variants = plan(file, SweepExperiment::store_variants);
  CHECK(variants.build_stores.empty());
  CHECK(names(variants) == std::vector<std::string>{"REL-64shot-local", "REL-64shot-collaborative", "IRR-64shot-local",
                                                    "IRR-64shot-collaborative", "REL-1-64shot-local",
                                                    "REL-1-64shot-collaborative", "SPLIT-64shot-local",
                                                    "SPLIT-64shot-collaborative"});
  // 6 epochs: a local client's 64 questions are 16 batches of 4, so 96 steps, evaluated twice.
  CHECK(cell_named(variants, "IRR-64shot-local").overrides ==
        std::vector<std::string>{"data.shots=64", "store.variant=IRR", "train.mode=local", "train.steps=96",
                                 "train.eval_every=48"});
  CHECK(cell_named(variants, "IRR-64shot-collaborative").overrides ==
        std::vector<std::string>{"data.shots=64", "store.variant=IRR", "train.mode=collaborative"});

  const auto shots = plan(file, SweepExperiment::shots);
  CHECK(names(shots) == std::vector<std::string>{"REL-16shot-closed-book", "REL-16shot-local", "REL-16shot-centralized",
                                                 "REL-16shot-collaborative", "REL-64shot-closed-book",
                                                 "REL-64shot-local", "REL-64shot-centralized",
                                                 "REL-64shot-collaborative"});
  // Centralized sees all 4 x 16 questions: 16 batches per epoch, 96 steps; closed-book likewise.
  CHECK(cell_named(shots, "REL-16shot-centralized").overrides ==
        std::vector<std::string>{"data.shots=16", "store.variant=REL", "train.mode=centralized", "train.steps=96",
                                 "train.eval_every=48"});
  CHECK(cell_named(shots, "REL-16shot-closed-book").overrides ==
        std::vector<std::string>{"data.shots=16", "store.variant=REL", "train.mode=centralized", "train.steps=96",
                                 "train.eval_every=48", "model.retrieval=false"});
}

TEST_CASE("sweep plan: the paper's schedule, closed-book models in every mode, ablations and dev", "[train][sweep]") {
  TempDir dir;
  write_text(dir / "crab.yaml",
             "data:\n  train_pool: [train.jsonl]\n  test_pool: test.jsonl\n  corpus: corpus.jsonl\nsplits:\n  shots: "
             "[16, 32]\n");
  const auto file = write_sweep(dir,
                                "  crab: crab.yaml\n  closed_book_readers: [models/t5-base, models/flan-t5-base/]\n"
                                "  step_regime_overrides: [train.warmup_steps=20]\n  dev_size: 40\n");
  const auto shots = plan(file, SweepExperiment::shots);
  REQUIRE(shots.cells.size() == 2 * (2 * 3 + 3));  // the crab config's shot levels
  const auto& closed_book = cell_named(shots, "REL-32shot-closed-book-local-flan-t5-base");
  CHECK(closed_book.overrides ==
        std::vector<std::string>{"data.shots=32", "store.variant=REL", "train.mode=local", "train.warmup_steps=20",
                                 "model.reader=" + (dir / "models/flan-t5-base/").string(), "model.retrieval=false"});
  // The config's own steps; collaborative keeps the config's warmup.
  CHECK(cell_named(shots, "REL-16shot-local").overrides ==
        std::vector<std::string>{"data.shots=16", "store.variant=REL", "train.mode=local", "train.warmup_steps=20"});
  CHECK(cell_named(shots, "REL-16shot-collaborative").overrides ==
        std::vector<std::string>{"data.shots=16", "store.variant=REL", "train.mode=collaborative"});

  const auto composition = plan(file, SweepExperiment::store_composition);
  CHECK(composition.stores_dir == "/sweep/crab-ablations");
  CHECK(composition.build_stores == std::vector<std::string>{"--config", (dir / "crab.yaml").string(), "--variants",
                                                             "REL,ablations", "--out", "/sweep/crab-ablations"});
  REQUIRE(composition.cells.size() == 2 * 12);  // REL and 11 ablations, each on the test store alone and with train
  CHECK(composition.cells.front().name == "REL-32shot-local-test-store");
  CHECK(cell_named(composition, "ablations-empty-32shot-local-test+train-store").overrides ==
        std::vector<std::string>{"data.shots=32", "store.variant=ablations/empty", "train.mode=local",
                                 "train.warmup_steps=20", "data.crab_dir=/sweep/crab-ablations",
                                 "eval.include_train_store=true"});

  const auto dev = plan(file, SweepExperiment::dev);
  CHECK(dev.build_stores == std::vector<std::string>{"--config", (dir / "crab.yaml").string(), "--set",
                                                     "splits.dev_size=40", "--variants", "REL", "--out",
                                                     "/sweep/crab-dev"});
  REQUIRE(dev.cells.size() == 2 * 3 + 3);
  CHECK(cell_named(dev, "REL-32shot-collaborative-dev").overrides ==
        std::vector<std::string>{"data.shots=32", "store.variant=REL", "train.mode=collaborative",
                                 "data.crab_dir=/sweep/crab-dev", "eval.dev=true"});
}

TEST_CASE("sweep config: bad values and missing inputs are errors naming the key", "[train][sweep]") {
  TempDir dir;
  CHECK_THAT(error_message([&] { plan(write_sweep(dir, "  shots: [64, 16]\n"), SweepExperiment::shots); }),
             Catch::Contains("sweep.shots") && Catch::Contains("ascending"));
  CHECK_THAT(error_message([&] {
               plan(write_sweep(dir, "  shots: [16]\n  closed_book_modes: [solo]\n"), SweepExperiment::shots);
             }),
             Catch::Contains("sweep.closed_book_modes") && Catch::Contains("solo"));
  CHECK_THAT(error_message([&] { plan(write_sweep(dir, "  shot: [16]\n"), SweepExperiment::shots); }),
             Catch::Contains("sweep.shot") && Catch::Contains("sweep.yaml:3"));
  CHECK_THAT(error_message([&] { plan(write_sweep(dir, ""), SweepExperiment::shots); }),
             Catch::Contains("neither sweep.shots nor sweep.crab"));
  CHECK_THAT(error_message([&] { plan(write_sweep(dir, "  shots: [16]\n"), SweepExperiment::store_composition); }),
             Catch::Contains("sweep.crab"));
}
