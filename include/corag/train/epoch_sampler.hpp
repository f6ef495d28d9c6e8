#pragma once

#include <cstdint>
#include <vector>

namespace corag {

/// The data order of a training set: epoch after epoch, each a seeded shuffle of all examples
/// cut into batches (the last one of an epoch may be smaller). The order of step s depends only
/// on (seed, s), so a resumed run sees exactly the batches an uninterrupted one would.
class EpochSampler {
 public:
  EpochSampler(std::size_t examples, std::size_t batch_size, std::uint64_t seed);

  std::size_t steps_per_epoch() const { return steps_per_epoch_; }
  /// Example indices of optimizer step `step` (0-based, counted across epochs).
  std::vector<std::size_t> batch(std::int64_t step);

 private:
  std::size_t examples_, batch_size_, steps_per_epoch_;
  std::uint64_t seed_;
  std::int64_t epoch_ = -1;
  std::vector<std::size_t> order_;
};

}  // namespace corag
