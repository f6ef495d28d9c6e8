#pragma once

#include <filesystem>

#include "corag/config/experiment_config.hpp"

namespace corag::test {

/// A tiny CRAB world built once per test process, the way a user builds one: real NQ-open
/// questions, a generated corpus (per question a passage holding its answer and one sharing
/// its words without it, plus filler), tiny random models of the real architectures, the
/// corpus embedded into a root store (`corag index build`'s library call) and a CRAB build
/// (2 clients, shots 4 and 8, dev and test splits, FAISS stores composed from the root).
struct TinyCrabWorld {
  std::filesystem::path dir, reader, retriever, embeddings, crab;
};
const TinyCrabWorld& tiny_crab_world();

/// Another CRAB build of the tiny world, with `clients` clients (4 shots, 3 test and 2 dev
/// questions each; at most 4 clients), built once per process; its folder.
std::filesystem::path tiny_crab_build(int clients);

/// An experiment config for the tiny world: collaborative, REL, top-4 passages, 2 rounds of 2
/// local epochs, batch 4, fp32 on the CPU, dropout off.
ExperimentConfig tiny_experiment_config();

}  // namespace corag::test
