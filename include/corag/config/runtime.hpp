#pragma once

#include <cstdint>

#include <torch/types.h>

#include "corag/config/experiment_config.hpp"

namespace corag {

/// The resolved runtime of a run: what `runtime.*` asked for, made concrete.
struct Runtime {
  torch::Device device = torch::kCPU;
  torch::ScalarType compute_dtype = torch::kFloat32;
  int threads = 1;
  std::uint64_t seed = 0;
};

/// The one place that applies `runtime.*`: picks the device (CUDA on a CPU-only build is an
/// error naming runtime.device), the compute precision, sets torch's and OpenMP's thread counts
/// and seeds torch's generators. Everything else derives its randomness from `seed`.
Runtime apply_runtime(const RuntimeConfig& config);

}  // namespace corag
