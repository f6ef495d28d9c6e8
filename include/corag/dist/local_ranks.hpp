#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace corag {

/// `--nproc N` on one machine: the command runs again as N rank processes.
struct LocalRanksLaunch {
  int nproc = 1;
  std::uint16_t master_port = 0;  ///< 0: a free port of 127.0.0.1, picked here
  /// After a rank ends (fails, or finishes while another has not), how long the others get to end
  /// on their own before they are killed.
  std::chrono::seconds grace{300};
};

/// A port of 127.0.0.1 that nothing listens on now (the kernel's pick), for a master.
std::uint16_t free_loopback_port();

/// `command_line` (argv[0] first) without its `--nproc N` / `--nproc=N`: what each rank runs.
std::vector<std::string> without_nproc(const std::vector<std::string>& command_line);

/// Runs `rank_command` (this program's argv without --nproc) as `launch.nproc` child processes
/// with torchrun's variables (RANK = LOCAL_RANK = 0 .. N-1, WORLD_SIZE, MASTER_ADDR=127.0.0.1,
/// MASTER_PORT), sharing this process's stdout and stderr, and waits for all of them. Once a
/// rank has ended (after a failure: from the first failure) the others get `launch.grace` to
/// end, then are killed: a rank stopped or hung after the others finished fails the run instead
/// of hanging it. The error names each rank that failed and how (exit status or signal).
void run_local_ranks(const std::vector<std::string>& rank_command, const LocalRanksLaunch& launch);

/// In a rank that run_local_ranks started (it names itself in CORAG_LAUNCHER_PID, which this
/// removes): the rank gets SIGTERM when the launcher ends, so that killing the launcher (as a
/// batch system's SIGTERM or a kill -9 does) ends its ranks instead of leaving them training
/// unseen; an error if the launcher has already ended. Elsewhere, nothing.
void stop_with_launcher();

}  // namespace corag
