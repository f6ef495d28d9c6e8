// torchrun's variables and the matching options, the launcher's GPU binding (checked without
// GPUs: it is a string the rank's runtime then resolves).
#include <cstdlib>

#include "corag/dist/rank_environment.hpp"
#include "test_support.hpp"

namespace {

using corag::test::error_message;

using Variables = std::vector<std::pair<const char*, const char*>>;

/// Sets torchrun's variables for one test and restores the environment after it.
class TorchrunVariables {
 public:
  explicit TorchrunVariables(const Variables& values) {
    for (const auto* name : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"}) {
      if (const char* old = std::getenv(name)) saved_.emplace_back(name, old);
      ::unsetenv(name);
    }
    for (const auto& [name, value] : values) ::setenv(name, value, 1);
  }
  ~TorchrunVariables() {
    for (const auto* name : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"}) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }

 private:
  std::vector<std::pair<std::string, std::string>> saved_;
};

}  // namespace

TEST_CASE("rank environment: torchrun's variables, options over them, errors naming the variable", "[dist]") {
  {
    const TorchrunVariables none(Variables{});
    CHECK_FALSE(corag::rank_environment({}).has_value());  // one process
  }
  {
    const TorchrunVariables torchrun({{"RANK", "5"},
                                      {"WORLD_SIZE", "8"},
                                      {"LOCAL_RANK", "1"},
                                      {"MASTER_ADDR", "10.0.0.7"},
                                      {"MASTER_PORT", "29400"}});
    const auto environment = corag::rank_environment({});
    REQUIRE(environment.has_value());
    CHECK(environment->rank == 5);
    CHECK(environment->world_size == 8);
    CHECK(environment->local_rank == 1);
    CHECK(environment->master_addr == "10.0.0.7");
    CHECK(environment->master_port == 29400);
    corag::RankOverrides overrides;
    overrides.rank = 2;
    overrides.master_port = 31000;
    overrides.master_addr = "node0";
    overrides.timeout = std::chrono::seconds(7);
    const auto overridden = corag::rank_environment(overrides);
    CHECK(overridden->rank == 2);
    CHECK(overridden->local_rank == 1);
    CHECK(overridden->master_addr == "node0");
    CHECK(overridden->master_port == 31000);
    CHECK(overridden->timeout == std::chrono::seconds(7));
  }
  {
    const TorchrunVariables defaults(Variables{{"RANK", "1"}, {"WORLD_SIZE", "2"}});
    const auto environment = corag::rank_environment({});
    CHECK(environment->local_rank == 1);  // LOCAL_RANK defaults to RANK (one machine)
    CHECK(environment->master_addr == "127.0.0.1");
    CHECK(environment->master_port == 29500);
  }
  {
    const TorchrunVariables bad(Variables{{"RANK", "two"}, {"WORLD_SIZE", "4"}});
    CHECK_THAT(error_message([] { corag::rank_environment({}); }),
               Catch::Contains("RANK='two': expected an integer in [0, 65535]"));
  }
  {
    const TorchrunVariables beyond(Variables{{"RANK", "4"}, {"WORLD_SIZE", "4"}});
    CHECK_THAT(error_message([] { corag::rank_environment({}); }),
               Catch::Contains("rank 4 is not below the world size 4"));
  }
  {
    const TorchrunVariables half(Variables{{"RANK", "0"}});
    CHECK_THAT(error_message([] { corag::rank_environment({}); }),
               Catch::Contains("needs both its rank and the world size") && Catch::Contains("WORLD_SIZE"));
  }
  {
    const TorchrunVariables port(Variables{{"RANK", "0"}, {"WORLD_SIZE", "2"}, {"MASTER_PORT", "70000"}});
    CHECK_THAT(error_message([] { corag::rank_environment({}); }), Catch::Contains("MASTER_PORT='70000'"));
  }
  {
    const TorchrunVariables valid(Variables{{"RANK", "0"}, {"WORLD_SIZE", "2"}});
    corag::RankOverrides zero_timeout;
    zero_timeout.timeout = std::chrono::seconds(0);
    CHECK_THAT(error_message([&] { corag::rank_environment(zero_timeout); }),
               Catch::Contains("--dist-timeout: expected seconds > 0"));
  }
}

TEST_CASE("rank device: runtime.device cuda is bound to the rank's own GPU, LOCAL_RANK", "[dist]") {
  CHECK(corag::rank_device("cuda", 3, false) == "cuda:3");
  CHECK(corag::rank_device("cuda", 0, true) == "cuda:0");
  CHECK(corag::rank_device("auto", 2, true) == "cuda:2");
  CHECK(corag::rank_device("auto", 2, false) == "auto");  // resolves to the CPU
  CHECK(corag::rank_device("cpu", 1, true) == "cpu");
  CHECK(corag::rank_device("cuda:1", 0, true) == "cuda:1");  // pinned by the user
}
