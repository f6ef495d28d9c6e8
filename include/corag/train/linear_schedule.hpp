#pragma once

#include <cstdint>

namespace corag {

/// Learning-rate factor of Atlas's linear schedule: linear warmup over `warmup_steps`, then
/// linear decay to zero at `total_steps`. `factor(s)` applies to the update that makes
/// optimizer step s + 1, so the first update already has a non-zero rate.
class LinearSchedule {
 public:
  LinearSchedule(std::int64_t warmup_steps, std::int64_t total_steps);
  double factor(std::int64_t step) const;

 private:
  std::int64_t warmup_steps_;
  std::int64_t total_steps_;
};

}  // namespace corag
