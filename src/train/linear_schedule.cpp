#include "corag/train/linear_schedule.hpp"

#include <algorithm>

#include "corag/util/error.hpp"

namespace corag {

LinearSchedule::LinearSchedule(std::int64_t warmup_steps, std::int64_t total_steps)
    : warmup_steps_(warmup_steps), total_steps_(total_steps) {
  CORAG_CHECK(warmup_steps >= 0 && total_steps > 0, "linear schedule: need warmup >= 0 and total > 0 steps, got ",
              warmup_steps, " and ", total_steps);
}

double LinearSchedule::factor(std::int64_t step) const {
  if (step < warmup_steps_) return static_cast<double>(step + 1) / static_cast<double>(warmup_steps_);
  const auto decay_steps = std::max<std::int64_t>(1, total_steps_ - warmup_steps_);
  return std::max(0.0, static_cast<double>(total_steps_ - step) / static_cast<double>(decay_steps));
}

}  // namespace corag
