#pragma once

#include <torch/types.h>

namespace corag {

/// bf16 autocast on CUDA for the scope's forward passes (fp32 master weights, as the paper
/// trains in bfloat16); a no-op on the CPU or in fp32, where training stays in fp32.
class AutocastScope {
 public:
  AutocastScope(const torch::Device& device, torch::ScalarType compute_dtype);
  ~AutocastScope();
  AutocastScope(const AutocastScope&) = delete;
  AutocastScope& operator=(const AutocastScope&) = delete;

 private:
  bool enabled_ = false;
  bool was_enabled_ = false;
  torch::ScalarType previous_dtype_ = torch::kFloat16;
};

}  // namespace corag
