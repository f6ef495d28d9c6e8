#include "corag/train/epoch_sampler.hpp"

#include <algorithm>
#include <numeric>
#include <string>

#include "corag/util/error.hpp"
#include "corag/util/rng.hpp"

namespace corag {

EpochSampler::EpochSampler(std::size_t examples, std::size_t batch_size, std::uint64_t seed)
    : examples_(examples), batch_size_(std::min(batch_size, examples)), seed_(seed) {
  CORAG_CHECK(examples > 0, "cannot train on an empty training set");
  CORAG_CHECK(batch_size > 0, "batch size must be positive");
  steps_per_epoch_ = (examples_ + batch_size_ - 1) / batch_size_;
}

std::vector<std::size_t> EpochSampler::batch(std::int64_t step) {
  CORAG_CHECK(step >= 0, "negative training step ", step);
  const auto epoch = step / static_cast<std::int64_t>(steps_per_epoch_);
  if (epoch != epoch_) {
    order_.resize(examples_);
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    Rng rng(derive_seed(seed_, "epoch" + std::to_string(epoch)));
    rng.shuffle(order_);
    epoch_ = epoch;
  }
  const auto begin = static_cast<std::size_t>(step % static_cast<std::int64_t>(steps_per_epoch_)) * batch_size_;
  const auto end = std::min(examples_, begin + batch_size_);
  return std::vector<std::size_t>(order_.begin() + static_cast<std::ptrdiff_t>(begin),
                                  order_.begin() + static_cast<std::ptrdiff_t>(end));
}

}  // namespace corag
