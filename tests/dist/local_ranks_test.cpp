// The launcher of `--nproc N` (run_local_ranks) and its rank command line. The ranks it starts
// are this test program again, running the hidden test case below, which does what
// CORAG_TEST_RANK_PLAN says for its RANK.
#include <chrono>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "corag/dist/local_ranks.hpp"
#include "test_support.hpp"

namespace {

using corag::test::error_message;

constexpr const char* kPlanVariable = "CORAG_TEST_RANK_PLAN";

/// Sets the ranks' plan ("exit0,hang": what rank 0, 1, ... do) for one test.
class RankPlan {
 public:
  explicit RankPlan(const char* plan) { ::setenv(kPlanVariable, plan, 1); }
  ~RankPlan() { ::unsetenv(kPlanVariable); }
};

/// Launches 2 ranks of this program with a grace of 1 s.
void launch_ranks() {
  corag::LocalRanksLaunch launch;
  launch.nproc = 2;
  launch.grace = std::chrono::seconds(1);
  corag::run_local_ranks({"corag_tests", "[launched-rank]", "--out", "/dev/null"}, launch);
}

/// The launcher's error for `plan`, checked to come well before a hung rank would end.
std::string launcher_error(const char* plan) {
  const RankPlan planned(plan);
  const auto started = std::chrono::steady_clock::now();
  const auto message = error_message(launch_ranks);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(60));
  return message;
}

}  // namespace

// Run only as a rank that the tests below launch: "exitN" ends with status N, "hang" sleeps
// for two minutes (a rank stopped or hung).
TEST_CASE("local ranks: a launched rank follows its plan", "[.][launched-rank]") {
  const char* plan = std::getenv(kPlanVariable);
  const char* rank = std::getenv("RANK");
  REQUIRE((plan != nullptr && rank != nullptr));
  std::stringstream steps(plan);
  std::string step;
  for (int i = 0; i <= std::atoi(rank); ++i) std::getline(steps, step, ',');
  if (step == "hang") std::this_thread::sleep_for(std::chrono::minutes(2));
  REQUIRE(step.rfind("exit", 0) == 0);
  std::_Exit(std::atoi(step.c_str() + 4));
}

TEST_CASE("local ranks: the launcher waits for ranks that end together", "[dist]") {
  const RankPlan plan("exit0,exit0");
  CHECK_NOTHROW(launch_ranks());
}

TEST_CASE("local ranks: once a rank has ended, one still running gets the grace, then is killed and named", "[dist]") {
  // Rank 0 finished; rank 1 never ends (as when stopped after the run's last collective): the
  // launcher used to wait for it forever.
  CHECK_THAT(launcher_error("exit0,hang"),
             Catch::Contains("rank 1 was killed by signal 9") && !Catch::Contains("rank 0 "));
  CHECK_THAT(launcher_error("exit3,hang"),
             Catch::Contains("rank 0 exited with status 3") && Catch::Contains("rank 1 was killed by signal 9"));
}

TEST_CASE("local ranks: each rank runs the command without --nproc", "[dist]") {
  CHECK(corag::without_nproc({"corag", "train", "--nproc", "3", "--config", "c.yaml"}) ==
        std::vector<std::string>{"corag", "train", "--config", "c.yaml"});
  CHECK(corag::without_nproc({"/usr/bin/corag", "train", "--nproc=2", "--out", "run"}) ==
        std::vector<std::string>{"/usr/bin/corag", "train", "--out", "run"});
}
