#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace corag {

/// "run 41.2% ETA 1h05m": how far a whole run is, `done` of `total` units (training steps), and
/// when it will end at the rate this invocation has kept so far: (`done` - `done_before`) units
/// in `elapsed_seconds`, evaluations and checkpoints included; `done_before` is what a resumed
/// run had done before it started. "ETA ?" before the first unit, no ETA once done. Pure.
std::string render_run_status(std::uint64_t done, std::uint64_t total, std::uint64_t done_before,
                              double elapsed_seconds);

/// The progress of a whole run across its stages (every client's rounds, say), for the status
/// of the per-stage progress bars, so a batch job's heartbeat says when the run will end.
class RunProgress {
 public:
  /// `total` units, of which `done_before` were done by an earlier invocation (--resume).
  RunProgress(std::uint64_t total, std::uint64_t done_before);

  void advance(std::uint64_t count = 1) { done_ += count; }
  std::string status() const;

 private:
  std::uint64_t total_;
  std::uint64_t done_before_;
  std::uint64_t done_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace corag
