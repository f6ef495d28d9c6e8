#include "corag/util/rng.hpp"

#include "corag/util/error.hpp"

namespace corag {
namespace {

std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

__extension__ using uint128 = unsigned __int128;  // GCC/Clang builtin; __extension__ for -Wpedantic

}  // namespace

std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

std::uint64_t derive_seed(std::uint64_t seed, std::string_view stream) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;  // FNV-1a of the stream name
  for (const char c : stream) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  std::uint64_t state = seed ^ hash;
  return splitmix64(state);
}

Rng::Rng(std::uint64_t seed) {
  for (auto& word : s_) word = splitmix64(seed);
}

Rng Rng::from_state(std::uint64_t s0, std::uint64_t s1, std::uint64_t s2, std::uint64_t s3) {
  Rng rng;
  rng.set_state({s0, s1, s2, s3});
  return rng;
}

void Rng::set_state(const std::vector<std::uint64_t>& state) {
  CORAG_CHECK(state.size() == 4, "RNG state must have 4 words, got ", state.size());
  CORAG_CHECK(state[0] | state[1] | state[2] | state[3], "RNG state must not be all zero");
  for (int i = 0; i < 4; ++i) s_[i] = state[static_cast<std::size_t>(i)];
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

std::uint64_t Rng::uniform(std::uint64_t bound) {
  CORAG_CHECK(bound > 0, "Rng::uniform needs a positive bound");
  // Lemire's multiply-and-reject method.
  uint128 product = static_cast<uint128>(next_u64()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<uint128>(next_u64()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

double Rng::uniform_real() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

}  // namespace corag
