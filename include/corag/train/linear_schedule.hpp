#pragma once

#include <cstdint>

namespace corag {

/// Learning-rate factor of Atlas's `WarmupLinearScheduler` (src/util.py) with its `ratio` r
/// (Atlas passes 0.1): during `warmup_steps` the factor rises linearly from r to 1, then falls
/// linearly to r at `total_steps`. `factor(s)` applies to the update that makes optimizer step
/// s + 1, as Atlas's LambdaLR does (its scheduler steps after the optimizer): without warmup the
/// first update has the full rate, with warmup it has r.
class LinearSchedule {
 public:
  LinearSchedule(std::int64_t warmup_steps, std::int64_t total_steps, double floor_ratio);
  double factor(std::int64_t step) const;

 private:
  std::int64_t warmup_steps_;
  std::int64_t total_steps_;
  double floor_ratio_;
};

}  // namespace corag
