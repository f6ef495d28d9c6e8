#include "corag/dist/rank_environment.hpp"

#include <cstdlib>
#include <limits>

#include "corag/util/error.hpp"

namespace corag {
namespace {

/// An integer variable of the environment in [low, high]; nullopt when unset.
std::optional<long long> integer_variable(const char* name, long long low, long long high) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return std::nullopt;
  char* end = nullptr;
  const auto value = std::strtoll(text, &end, 10);
  CORAG_CHECK(*end == '\0' && value >= low && value <= high, "environment variable ", name, "='", text,
              "': expected an integer in [", low, ", ", high, "]");
  return value;
}

}  // namespace

std::optional<RankEnvironment> rank_environment(const RankOverrides& overrides) {
  constexpr long long kMaxRanks = 1 << 16;
  const auto pick = [](const std::optional<int>& option, const char* variable, long long low, long long high,
                       const char* option_name) -> std::optional<long long> {
    if (option) {
      CORAG_CHECK(*option >= low && *option <= high, option_name, " ", *option, ": expected an integer in [", low, ", ",
                  high, "]");
      return *option;
    }
    return integer_variable(variable, low, high);
  };
  const auto world_size = pick(overrides.world_size, "WORLD_SIZE", 1, kMaxRanks, "--world-size");
  const auto rank = pick(overrides.rank, "RANK", 0, kMaxRanks - 1, "--rank");
  if (!world_size && !rank) return std::nullopt;
  CORAG_CHECK(world_size && rank, "a distributed rank needs both its rank and the world size: RANK/--rank is ",
              rank ? std::to_string(*rank) : "unset", ", WORLD_SIZE/--world-size is ",
              world_size ? std::to_string(*world_size) : "unset");
  CORAG_CHECK(*rank < *world_size, "rank ", *rank, " is not below the world size ", *world_size);
  RankEnvironment environment;
  environment.rank = static_cast<int>(*rank);
  environment.world_size = static_cast<int>(*world_size);
  environment.local_rank =
      static_cast<int>(pick(overrides.local_rank, "LOCAL_RANK", 0, kMaxRanks - 1, "--local-rank").value_or(*rank));
  if (overrides.master_addr) {
    environment.master_addr = *overrides.master_addr;
  } else if (const char* address = std::getenv("MASTER_ADDR"); address != nullptr && *address != '\0') {
    environment.master_addr = address;
  }
  CORAG_CHECK(!environment.master_addr.empty(), "--master-addr: empty address");
  environment.master_port = static_cast<std::uint16_t>(
      pick(overrides.master_port, "MASTER_PORT", 1, std::numeric_limits<std::uint16_t>::max(), "--master-port")
          .value_or(29500));
  CORAG_CHECK(overrides.timeout.count() > 0, "--dist-timeout: expected seconds > 0, got ", overrides.timeout.count());
  environment.timeout = overrides.timeout;
  return environment;
}

std::string rank_device(const std::string& configured, int local_rank, bool cuda_available) {
  const bool bind = configured == "cuda" || (configured == "auto" && cuda_available);
  return bind ? "cuda:" + std::to_string(local_rank) : configured;
}

}  // namespace corag
