#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace corag {

struct DemoOptions {
  std::filesystem::path out;  ///< everything the demo writes: world/, models/, embeddings/, crab/, runs/, tables.md
  std::int64_t seed = 0;      ///< the world, pretraining, CRAB splits and every run
  bool quick = false;         ///< a toy-sized world and a few steps per stage: the test suite's end-to-end run
  /// A folder with the demo's config files (demo-world.yaml, demo-pretrain.yaml, demo-crab.yaml,
  /// demo-train.yaml, and the demo-quick-*.yaml of --quick); empty: the copies of configs/
  /// built into corag, written to OUT/configs/source/ and read from there.
  std::filesystem::path configs;
  /// The `corag` executable that trains the runs as child processes (`corag train --config
  /// OUT/configs/runs/NAME.yaml --out OUT/runs/NAME`, its log in OUT/logs/NAME.log), `jobs` at a
  /// time. Every run is single-threaded and seeded by its own config, so the results do not
  /// depend on how the runs are scheduled.
  std::filesystem::path trainer;
  std::int64_t jobs = 1;
  /// Stop after the stages before training (world, models, embeddings, CRAB stores): the inputs
  /// of scripts/sweeps/, which read OUT/configs/sweep.yaml.
  bool inputs_only = false;
};

/// `corag demo`: the whole CoRAG pipeline on its config files, every stage through the same
/// library calls as its own tool: `corag synth` -> `corag pretrain` -> `corag index build` ->
/// `crab-build-stores` (REL, IRR, REL-1, SPLIT) -> `corag train` for closed-book, local,
/// centralized and collaborative RAG at two shot levels on REL, and local + collaborative on
/// the other three variants. Each stage's resolved config is written beside its output (and
/// under OUT/configs/: synth, pretrain, crab, train, sweep and runs/NAME.yaml); a
/// finished stage is reused when run again on the same `out` (an unfinished run is resumed).
/// Writes `tables.md` (paper tables 1 and 3 for the demo world, each number with the run and
/// point it came from) and `demo.json` (stage times), and returns the tables.
std::string run_demo(const DemoOptions& options);

/// Paper tables 1 and 3 of the demo from its runs' `summary.json`s, keyed by run name
/// (`{variant}-{shots}shot-{regime}`, e.g. `REL-64shot-collaborative`): each cell is the run's
/// reported average EM, cited with the run and its chosen point; then collaborative RAG's margins
/// over closed-book and local at `many_shots` on REL.
std::string render_demo_tables(const std::map<std::string, nlohmann::json>& summaries, const std::string& few_shots,
                               const std::string& many_shots);

}  // namespace corag
