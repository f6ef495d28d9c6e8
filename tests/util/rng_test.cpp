#include <algorithm>
#include <numeric>

#include "corag/util/rng.hpp"
#include "test_support.hpp"

using namespace corag;

TEST_CASE("splitmix64 and xoshiro256** follow the reference vectors", "[util][rng]") {
  std::uint64_t state = 0;
  CHECK(splitmix64(state) == 0xe220a8397b1dcdafULL);  // published first output for seed 0
  // xoshiro256** from state {1, 2, 3, 4}, worked by hand from the reference algorithm.
  Rng rng = Rng::from_state(1, 2, 3, 4);
  CHECK(rng.next_u64() == 11520ULL);
  CHECK(rng.next_u64() == 0ULL);
  CHECK(rng.next_u64() == 1509978240ULL);
  CHECK(rng.next_u64() == 1215971899390074240ULL);
}

TEST_CASE("Rng draws are in range, reproducible and restorable", "[util][rng]") {
  Rng a(42), b(42);
  for (int i = 0; i < 1000; ++i) {
    const auto x = a.uniform(7);
    CHECK(x < 7);
    CHECK(x == b.uniform(7));
    const double r = a.uniform_real();
    CHECK((r >= 0.0 && r < 1.0));
    b.uniform_real();
  }
  const auto saved = a.state();
  const auto next = a.next_u64();
  Rng c(0);
  c.set_state(saved);
  CHECK(c.next_u64() == next);
  CHECK_THROWS_AS(c.set_state({0, 0, 0, 0}), corag::Error);
}

TEST_CASE("shuffle is a seeded permutation", "[util][rng]") {
  std::vector<int> items(100);
  std::iota(items.begin(), items.end(), 0);
  auto first = items, second = items;
  Rng(9).shuffle(first);
  Rng(9).shuffle(second);
  CHECK(first == second);
  CHECK(first != items);
  std::sort(first.begin(), first.end());
  CHECK(first == items);
}

TEST_CASE("derived seeds differ per stream and are stable", "[util][rng]") {
  CHECK(derive_seed(1, "crab/splits") == derive_seed(1, "crab/splits"));
  CHECK(derive_seed(1, "crab/splits") != derive_seed(1, "crab/stores"));
  CHECK(derive_seed(1, "crab/splits") != derive_seed(2, "crab/splits"));
}
