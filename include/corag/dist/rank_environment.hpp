#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace corag {

/// Where one rank of a distributed run stands, in torchrun's terms: its rank among
/// `world_size`, its rank on this machine (`local_rank`: which GPU it uses), and the master
/// (rank 0's TCPStore) every rank meets at.
struct RankEnvironment {
  int rank = 0, world_size = 1, local_rank = 0;
  std::string master_addr = "127.0.0.1";
  std::uint16_t master_port = 29500;
  /// How long a rank waits for the others (rendezvous, every collective) before it stops with
  /// an error naming the rank that is late and what it was doing.
  std::chrono::seconds timeout{300};
};

/// Command-line values that take precedence over the environment (unset: not given).
struct RankOverrides {
  std::optional<int> rank, world_size, local_rank;
  std::optional<std::string> master_addr;
  std::optional<int> master_port;
  std::chrono::seconds timeout{300};
};

/// The rank this process is, from `overrides` and torchrun's variables RANK, WORLD_SIZE,
/// LOCAL_RANK (default: RANK), MASTER_ADDR (default 127.0.0.1) and MASTER_PORT (default
/// 29500); nullopt when neither gives a rank or a world size (a run in one process). Values
/// out of range, or a rank without a world size, are errors naming the variable or option.
std::optional<RankEnvironment> rank_environment(const RankOverrides& overrides);

/// The device a rank trains on: `configured` (runtime.device) with "cuda", and "auto" when
/// `cuda_available`, bound to the rank's own GPU, "cuda:<local_rank>"; "cpu", "auto" without
/// CUDA and an explicit "cuda:N" are kept as given.
std::string rank_device(const std::string& configured, int local_rank, bool cuda_available);

}  // namespace corag
