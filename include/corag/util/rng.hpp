#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

namespace corag {

/// A seed for the named stream (`"crab/splits"`, `"train/client3"`, ...) derived from the run
/// seed, so that every consumer of randomness gets its own reproducible sequence and adding a
/// new consumer does not shift the others.
std::uint64_t derive_seed(std::uint64_t seed, std::string_view stream);

/// xoshiro256** seeded through splitmix64. Unlike std::uniform_int_distribution and
/// std::shuffle, its sequences are the same with every compiler and standard library, which
/// byte-identical outputs (CRAB builds, data order on resume) depend on.
class Rng {
 public:
  explicit Rng(std::uint64_t seed);
  /// Starts from an explicit state (for test vectors); the state must not be all zero.
  static Rng from_state(std::uint64_t s0, std::uint64_t s1, std::uint64_t s2, std::uint64_t s3);

  std::uint64_t next_u64();
  /// Uniform in [0, bound), without modulo bias; bound must be positive.
  std::uint64_t uniform(std::uint64_t bound);
  /// Uniform in [0, 1) with 53 random bits.
  double uniform_real();

  /// Fisher-Yates shuffle.
  template <typename T>
  void shuffle(std::vector<T>& items) {
    for (std::size_t i = items.size(); i > 1; --i) {
      std::swap(items[i - 1], items[static_cast<std::size_t>(uniform(i))]);
    }
  }

  /// The full state, to save with a checkpoint and restore on resume.
  std::vector<std::uint64_t> state() const { return {s_[0], s_[1], s_[2], s_[3]}; }
  void set_state(const std::vector<std::uint64_t>& state);

 private:
  Rng() = default;
  std::uint64_t s_[4] = {0, 0, 0, 0};
};

/// One step of splitmix64 (advances `state`).
std::uint64_t splitmix64(std::uint64_t& state);

}  // namespace corag
