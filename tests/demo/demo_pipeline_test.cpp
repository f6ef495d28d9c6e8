// The demo's tables from hand-made run summaries with distinct EMs: every cell stands under the
// right shot level and regime, cites its run and chosen point, and the margins are worked out by
// hand (31.25 - 2.50 and 31.25 - 10.00), and collaborative RAG's curve round by round.
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "corag/demo/demo_pipeline.hpp"
#include "test_support.hpp"

namespace {

nlohmann::json summary(double em, nlohmann::json best) {
  best["em"] = em;
  return {{"average", {{"em", em}}}, {"best", best}};
}

std::map<std::string, nlohmann::json> demo_summaries() {
  const auto round = [](int r) { return nlohmann::json{{"round", r}}; };
  const auto step = [](int s) { return nlohmann::json{{"step", s}}; };
  auto collaborative = summary(31.25, round(3));
  collaborative["curve"] = {{{"round", 1}, {"em", 12.5}, {"answer_recall", 61.25}},
                            {{"round", 2}, {"em", 20}, {"answer_recall", 70}},
                            {{"round", 3}, {"em", 31.25}, {"answer_recall", 78.75}}};
  return {{"REL-16shot-closed-book", summary(1, step(8))},    {"REL-64shot-closed-book", summary(2.5, step(32))},
          {"REL-16shot-local", summary(3, step(300))},        {"REL-64shot-local", summary(10, step(700))},
          {"REL-16shot-centralized", summary(4, step(8))},    {"REL-64shot-centralized", summary(20, step(32))},
          {"REL-16shot-collaborative", summary(5, round(1))}, {"REL-64shot-collaborative", collaborative},
          {"IRR-64shot-local", summary(8, step(100))},        {"IRR-64shot-collaborative", summary(12.5, round(2))},
          {"REL-1-64shot-local", summary(7, step(200))},      {"REL-1-64shot-collaborative", summary(9, round(1))},
          {"SPLIT-64shot-local", summary(6, step(1000))},     {"SPLIT-64shot-collaborative", summary(11, round(2))}};
}

}  // namespace

TEST_CASE("demo tables: each run's EM in its cell, with its source, and the margins", "[demo]") {
  const auto tables = corag::render_demo_tables(demo_summaries(), "16", "64");
  for (const auto* line :
       {"| REL | 10.00 | 31.25 | runs/REL-64shot-local (step 700); runs/REL-64shot-collaborative (round 3) |\n",
        "| IRR | 8.00 | 12.50 | runs/IRR-64shot-local (step 100); runs/IRR-64shot-collaborative (round 2) |\n",
        "| REL-1 | 7.00 | 9.00 | runs/REL-1-64shot-local (step 200); runs/REL-1-64shot-collaborative (round 1) |\n",
        "| SPLIT | 6.00 | 11.00 | runs/SPLIT-64shot-local (step 1000); runs/SPLIT-64shot-collaborative (round 2) |\n",
        "| regime | 16 shots | 64 shots | sources |\n",
        "| closed-book | 1.00 | 2.50 | runs/REL-16shot-closed-book (step 8); runs/REL-64shot-closed-book (step 32) |\n",
        "| local | 3.00 | 10.00 | runs/REL-16shot-local (step 300); runs/REL-64shot-local (step 700) |\n",
        "| centralized | 4.00 | 20.00 | runs/REL-16shot-centralized (step 8); runs/REL-64shot-centralized (step 32) "
        "|\n",
        "| collaborative | 5.00 | 31.25 | runs/REL-16shot-collaborative (round 1); runs/REL-64shot-collaborative "
        "(round 3) |\n",
        "| round | answer recall@k | EM |\n| ---: | ---: | ---: |\n| 1 | 61.25 | 12.50 |\n| 2 | 70.00 | 20.00 |\n"
        "| 3 | 78.75 | 31.25 |\n",
        "Collaborative RAG (REL, 64 shots) minus closed-book: 28.75 EM points; minus local RAG: 21.25.\n"}) {
    INFO(tables);
    CHECK(tables.find(line) != std::string::npos);
  }
  CHECK(tables.find("## Table 1") < tables.find("| REL | 10.00"));
  CHECK(tables.find("## Table 3") < tables.find("| closed-book |"));

  auto missing = demo_summaries();
  missing.erase("SPLIT-64shot-local");
  CHECK(corag::test::error_message([&] {
          corag::render_demo_tables(missing, "16", "64");
        }).find("SPLIT-64shot-local") != std::string::npos);
}
