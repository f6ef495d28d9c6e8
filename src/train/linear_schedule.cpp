#include "corag/train/linear_schedule.hpp"

#include <algorithm>

#include "corag/util/error.hpp"

namespace corag {

LinearSchedule::LinearSchedule(std::int64_t warmup_steps, std::int64_t total_steps, double floor_ratio)
    : warmup_steps_(warmup_steps), total_steps_(total_steps), floor_ratio_(floor_ratio) {
  CORAG_CHECK(warmup_steps >= 0 && total_steps > 0, "linear schedule: need warmup >= 0 and total > 0 steps, got ",
              warmup_steps, " and ", total_steps);
  CORAG_CHECK(floor_ratio >= 0 && floor_ratio <= 1, "linear schedule: the floor ratio must be in [0, 1], got ",
              floor_ratio);
}

double LinearSchedule::factor(std::int64_t step) const {
  const double r = floor_ratio_;
  if (step < warmup_steps_) {
    return (1 - r) * static_cast<double>(step) / static_cast<double>(std::max<std::int64_t>(1, warmup_steps_)) + r;
  }
  const auto decay_steps = std::max<std::int64_t>(1, total_steps_ - warmup_steps_);
  return std::max(0.0, 1.0 + (r - 1) * static_cast<double>(step - warmup_steps_) / static_cast<double>(decay_steps));
}

}  // namespace corag
