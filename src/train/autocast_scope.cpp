#include "corag/train/autocast_scope.hpp"

#include <ATen/autocast_mode.h>

namespace corag {

AutocastScope::AutocastScope(const torch::Device& device, torch::ScalarType compute_dtype)
    : enabled_(device.is_cuda() && compute_dtype != torch::kFloat32) {
  if (!enabled_) return;
  was_enabled_ = at::autocast::is_enabled();
  previous_dtype_ = at::autocast::get_autocast_gpu_dtype();
  at::autocast::set_autocast_gpu_dtype(compute_dtype);
  at::autocast::set_enabled(true);
}

AutocastScope::~AutocastScope() {
  if (!enabled_) return;
  at::autocast::set_enabled(was_enabled_);
  at::autocast::set_autocast_gpu_dtype(previous_dtype_);
  // The cast weights cached for this scope go stale after the optimizer step.
  at::autocast::clear_cache();
}

}  // namespace corag
