#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace corag {

struct DemoOptions {
  std::filesystem::path out;  ///< everything the demo writes: world/, models/, embeddings/, crab/, runs/, tables.md
  std::int64_t seed = 0;      ///< the world, pretraining, CRAB splits and every run
  bool quick = false;         ///< a toy-sized world and a few steps per stage: the test suite's end-to-end run
};

/// `corag demo`: the whole CoRAG pipeline on the embedded default, every stage through the same
/// library calls as its own tool: `corag synth` -> `corag pretrain` -> `corag index build` ->
/// `crab-build-stores` (REL, IRR, REL-1, SPLIT) -> `corag train` for closed-book, local,
/// centralized and collaborative RAG at two shot levels on REL, and local + collaborative on
/// the other three variants. Each stage's resolved config is written beside its output; a
/// finished stage is reused when run again on the same `out` (an unfinished run is resumed).
/// Writes `tables.md` (paper tables 1 and 3 for the demo world, each number with the run and
/// point it came from) and `demo.json` (stage times), and returns the tables.
std::string run_demo(const DemoOptions& options);

}  // namespace corag
