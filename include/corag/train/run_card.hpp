#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"

namespace corag {

/// `RUN/run_card.json`: what produced a run, for whoever compares its numbers later. Each
/// invocation of `corag train` on the run (a `--resume` adds one) appends a session: the build
/// (corag version and source commit, LibTorch, FAISS, CUDA, BLAS), the device, precision and
/// threads, the host, the command line and working folder, the start and end time (UTC; no end:
/// the session was killed or failed), and the SHA-256 of every input file the config names: the
/// reader's and retriever's files, the CRAB manifest and the store's meta.json (which hold the
/// checksums of what they were made from). Written atomically at the start and at the end.
class RunCard {
 public:
  /// Appends this session to the run's card (starting one if there is none) and writes it.
  RunCard(const std::filesystem::path& run_dir, const ExperimentConfig& config, const Runtime& runtime);
  /// Records the session's end time.
  void finish();

 private:
  void write() const;

  std::filesystem::path path_;
  nlohmann::json card_;
};

}  // namespace corag
