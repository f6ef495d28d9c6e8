// corag report on hand-made run directories (config.resolved.yaml, summary.json, predictions),
// against tables and p-values computed by hand.
#include <nlohmann/json.hpp>

#include "corag/train/paired_comparison.hpp"
#include "corag/train/reported_run.hpp"
#include "corag/train/run_report.hpp"
#include "corag/util/file_checksum.hpp"
#include "test_support.hpp"

using namespace corag;
using Catch::Detail::Approx;
using corag::test::error_message;
using corag::test::run_command;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

struct FakeRun {
  std::string regime = "collaborative", variant = "REL";
  int shots = 64, seed = 0, steps = 1000;
  double em = 0, f1 = 0;
  std::vector<double> client_em = {};
  std::optional<double> dev_selected_em = std::nullopt;
  double dev_em = 0;
};

/// A finished run directory as corag train leaves it, with only what corag report reads.
std::filesystem::path write_run(const std::filesystem::path& dir, const FakeRun& run) {
  std::filesystem::create_directories(dir);
  const bool closed_book = run.regime == "closed-book";
  write_text(dir / "config.resolved.yaml",
             "model:\n  retrieval: " + std::string(closed_book ? "false" : "true") +
                 "\n  n_context: 4\ndata:\n  shots: " + std::to_string(run.shots) + "\nstore:\n  variant: " +
                 run.variant + "\ntrain:\n  mode: " + (closed_book ? "centralized" : run.regime) +
                 "\n  steps: " + std::to_string(run.steps) + "\nruntime:\n  seed: " + std::to_string(run.seed) + "\n");
  const char* key = run.regime == "collaborative" ? "round" : "step";
  nlohmann::json summary = {{"best", {{key, 2}, {"em", run.em}, {"f1", run.f1}}}, {"clients", nlohmann::json::array()}};
  for (std::size_t i = 0; i < run.client_em.size(); ++i) {
    summary["clients"].push_back({{"client", i + 1}, {"em", run.client_em[i]}, {"f1", run.client_em[i]}, {"n", 10}});
  }
  if (run.dev_selected_em) {
    summary["dev_selected"] = {
        {"em", *run.dev_selected_em}, {"f1", 0.0}, {"dev_em", run.dev_em}, {"dev_f1", run.dev_em + 1}};
  }
  write_text(dir / "summary.json", summary.dump());
  return dir;
}

/// Test predictions at the reported point: `right` lists which of the questions were answered.
void write_predictions(const std::filesystem::path& folder, const std::string& client, const std::vector<int>& right) {
  std::filesystem::create_directories(folder);
  std::string lines;
  for (std::size_t i = 0; i < right.size(); ++i) {
    lines += nlohmann::json({{"id", "q" + std::to_string(i)}, {"em", right[i] * 1.0}}).dump() + "\n";
  }
  write_text(folder / (client + ".test.jsonl"), lines);
}

}  // namespace

TEST_CASE("run report: table 1 averages seeds and adds collaborative - local, by hand", "[train][report]") {
  TempDir dir;
  write_run(dir / "sweep/rel-local-0", {"local", "REL", 64, 0, 100, 10, 11});
  write_run(dir / "sweep/rel-local-1", {"local", "REL", 64, 1, 100, 20, 21});
  write_run(dir / "sweep/rel-collab-0", {"collaborative", "REL", 64, 0, 1000, 30, 31});
  write_run(dir / "sweep/rel-collab-1", {"collaborative", "REL", 64, 1, 1000, 40, 41});
  write_run(dir / "sweep/irr-local-0", {"local", "IRR", 64, 0, 100, 4, 4});
  write_run(dir / "sweep/irr-collab-0", {"collaborative", "IRR", 64, 0, 1000, 5, 5});
  const auto runs = find_reported_runs({dir / "sweep"});
  REQUIRE(runs.size() == 6);
  const auto report = build_run_report(runs, ReportTableKind::store_variants);
  // train.steps differs between the regimes only: not a row key.
  CHECK(report.row_keys == std::vector<std::string>{"store.variant"});
  CHECK(report.rows == std::vector<std::string>{"REL", "IRR"});  // the paper's order, not the alphabet's
  const auto& rel_local = report.cells.at({"REL", "local"});
  CHECK(rel_local.em_mean == Approx(15.0));
  CHECK(rel_local.em_std == Approx(7.0710678));  // sqrt(((10-15)^2 + (20-15)^2) / 1)
  CHECK(rel_local.f1_mean == Approx(16.0));
  CHECK(rel_local.n == 2);
  CHECK(*report.gain("REL") == Approx(20.0));
  CHECK(*report.relative_gain("REL") == Approx(133.3333));  // 20 / 15
  CHECK(*report.relative_gain("IRR") == Approx(25.0));
  const auto markdown = render_run_report(report, ReportFormat::md);
  CHECK_THAT(markdown,
             Catch::Contains("| store.variant | local | collaborative | collaborative - local | relative gain |\n"
                             "| --- | ---: | ---: | ---: | ---: |\n"
                             "| REL | 15.00 ± 7.07 (n 2) | 35.00 ± 7.07 (n 2) | +20.00 | +133.3 % |\n"
                             "| IRR | 4.00 (n 1) | 5.00 (n 1) | +1.00 | +25.0 % |\n"));
  CHECK_THAT(markdown,
             Catch::Contains("- REL / local: " + (dir / "sweep/rel-local-0").string() + " (step 2, seed 0); " +
                             (dir / "sweep/rel-local-1").string() + " (step 2, seed 1)"));
  CHECK_THAT(render_run_report(report, ReportFormat::csv),
             Catch::Contains("store.variant,regime,em_mean,em_std,f1_mean,f1_std,n,sources\n"
                             "REL,local,15.0000,7.0711,16.0000,7.0711,2,") &&
                 Catch::Contains("IRR,local,4.0000,0.0000,4.0000,0.0000,1,"));
  CHECK_THAT(render_run_report(report, ReportFormat::latex),
             Catch::Contains("REL & 15.00 $\\pm$ 7.07 (n 2) & 35.00 $\\pm$ 7.07 (n 2) & +20.00 & +133.3\\% \\\\"));
  const auto json = nlohmann::json::parse(render_run_report(report, ReportFormat::json));
  CHECK(json["rows"][0]["cells"]["collaborative"]["em_mean"] == Approx(35.0));
  CHECK(json["rows"][0]["collaborative_minus_local"] == Approx(20.0));

  // The same setting and seed twice is refused, naming both runs.
  write_run(dir / "sweep/rel-local-0-again", {"local", "REL", 64, 0, 100, 12, 12});
  CHECK_THAT(error_message([&] { build_run_report(find_reported_runs({dir / "sweep"}), ReportTableKind::automatic); }),
             Catch::Contains("rel-local-0 and ") && Catch::Contains("with the same seed 0"));
}

TEST_CASE("run report: table 3 by shots, a key that follows the shots in every regime makes no rows of its own",
          "[train][report]") {
  TempDir dir;
  // As the demo: local steps follow the shots (8 passes over the questions), collaborative's do not.
  write_run(dir / "a", {"closed-book", "REL", 16, 0, 32, 1, 1});
  write_run(dir / "b", {"closed-book", "REL", 64, 0, 128, 2, 2});
  write_run(dir / "c", {"local", "REL", 16, 0, 32, 10, 10});
  write_run(dir / "d", {"local", "REL", 64, 0, 128, 6, 6});
  write_run(dir / "e", {"collaborative", "REL", 16, 0, 1000, 15, 15});
  write_run(dir / "f", {"collaborative", "REL", 64, 0, 1000, 14, 14});
  const auto report = build_run_report(find_reported_runs({dir.path()}), ReportTableKind::shots);
  CHECK(report.row_keys == std::vector<std::string>{"data.shots"});
  CHECK(report.rows == std::vector<std::string>{"16", "64"});
  CHECK(report.columns == std::vector<std::string>{"closed-book", "local", "collaborative"});
  CHECK(report.cells.at({"64", "closed-book"}).em_mean == Approx(2.0));
  CHECK(*report.gain("64") == Approx(8.0));

  // Table 4 needs dev-selected scores: the dev split's EM and F1 there, averaged over seeds.
  CHECK_THAT(error_message([&] { build_run_report(find_reported_runs({dir.path()}), ReportTableKind::dev); }),
             Catch::Contains("has no dev-selected scores"));
  TempDir dev;
  write_run(dev / "l0", {"local", "REL", 64, 0, 100, 15, 15, {}, 14.0, 20.0});
  write_run(dev / "l1", {"local", "REL", 64, 1, 100, 17, 17, {}, 16.0, 30.0});
  write_run(dev / "c0", {"collaborative", "REL", 64, 0, 1000, 30, 30, {}, 29.0, 40.0});
  const auto on_dev = build_run_report(find_reported_runs({dev.path()}), ReportTableKind::dev);
  REQUIRE(on_dev.rows == std::vector<std::string>{""});
  CHECK(on_dev.cells.at({"", "local"}).em_mean == Approx(25.0));
  CHECK(on_dev.cells.at({"", "local"}).em_std == Approx(7.0710678));  // sqrt(((20-25)^2 + (30-25)^2) / 1)
  CHECK(on_dev.cells.at({"", "local"}).f1_mean == Approx(26.0));
  CHECK(on_dev.cells.at({"", "collaborative"}).em_mean == Approx(40.0));
  CHECK(*on_dev.gain("") == Approx(15.0));
  TempDir clients;
  write_run(clients / "l", {"local", "REL", 64, 0, 100, 15, 15, {10, 20}});
  write_run(clients / "c", {"collaborative", "REL", 64, 0, 1000, 30, 30, {25, 35}});
  const auto per_client = build_run_report(find_reported_runs({clients.path()}), ReportTableKind::clients);
  CHECK(per_client.rows == std::vector<std::string>{"client 1", "client 2"});
  CHECK(*per_client.gain("client 1") == Approx(15.0));
  CHECK(*per_client.gain("client 2") == Approx(15.0));
  CHECK(*per_client.relative_gain("client 2") == Approx(75.0));
}

TEST_CASE("run report --compare: McNemar and the paired bootstrap on hand-made predictions", "[train][report]") {
  CHECK(mcnemar_exact_p(4, 1) == Approx(0.375));  // 2 (C(5,0) + C(5,1)) / 2^5
  CHECK(mcnemar_exact_p(0, 0) == 1.0);
  CHECK(mcnemar_exact_p(10, 0) == Approx(2.0 / 1024.0));
  CHECK(mcnemar_exact_p(3, 3) == 1.0);

  TempDir dir;
  const auto a = write_run(dir / "a", {"collaborative", "REL", 64, 0, 1000, 60, 60});
  const auto b = write_run(dir / "b", {"local", "REL", 64, 0, 100, 30, 30});
  // A: right on q0-q5 of 10 (client 1) ; B: right on q0, q1, q6. Client 2: both right on q0 only.
  write_predictions(a / "predictions/round-000002", "client_1", {1, 1, 1, 1, 1, 1, 0, 0, 0, 0});
  write_predictions(a / "predictions/round-000002", "client_2", {1, 0});
  write_predictions(a / "predictions/round-000001", "client_1", {0, 0, 0, 0, 0, 0, 0, 0, 0, 0});  // not reported
  write_predictions(b / "predictions/client1-step-000002", "client_1", {1, 1, 0, 0, 0, 0, 1, 0, 0, 0});
  write_predictions(b / "predictions/client2-step-000002", "client_2", {1, 0});
  const auto comparison = compare_runs(ReportedRun::read(a), ReportedRun::read(b), 2000, 0);
  CHECK(comparison.questions == 12);
  CHECK(comparison.em_a == Approx(100.0 * 7 / 12));
  CHECK(comparison.em_b == Approx(100.0 * 4 / 12));
  CHECK(comparison.only_a == 4);
  CHECK(comparison.only_b == 1);
  CHECK(comparison.mcnemar_p == Approx(0.375));
  const double observed = 100.0 * 3 / 12;
  CHECK(comparison.interval_low <= observed);
  CHECK(comparison.interval_high >= observed);
  CHECK(comparison.bootstrap_p > 0.0);
  CHECK(comparison.bootstrap_p <= 1.0);
  // A run against itself: no difference, p = 1 both ways.
  const auto same = compare_runs(ReportedRun::read(a), ReportedRun::read(a), 500, 0);
  CHECK(same.mcnemar_p == 1.0);
  CHECK(same.bootstrap_p == 1.0);
  CHECK(same.interval_low == 0.0);
  // Runs scored on different questions are refused.
  write_predictions(b / "predictions/client2-step-000002", "client_2", {1});
  CHECK_THAT(error_message([&] { compare_runs(ReportedRun::read(a), ReportedRun::read(b), 10, 0); }),
             Catch::Contains("has no prediction for client_2/\"q1\""));
}

TEST_CASE("corag report: the command prints the table, writes it with --out and compares two runs", "[e2e][report]") {
  TempDir dir;
  write_run(dir / "runs/l", {"local", "REL", 64, 0, 100, 10, 10});
  write_run(dir / "runs/c", {"collaborative", "REL", 64, 0, 1000, 30, 30});
  const std::string corag = std::string(CORAG_CLI_PATH) + " --quiet report ";
  const auto printed = run_command(dir, corag + (dir / "runs").string() + " --table 1");
  INFO(printed.err);
  REQUIRE(printed.exit_code == 0);
  CHECK_THAT(printed.out, Catch::Contains("| REL | 10.00 (n 1) | 30.00 (n 1) | +20.00 | +200.0 % |"));
  REQUIRE(run_command(dir, corag + (dir / "runs").string() + " --table 1 --format csv --out " + (dir / "out").string())
              .exit_code == 0);
  CHECK_THAT(corag::test::read_text(dir / "out/report.csv"), Catch::Contains("REL,collaborative,30.0000"));
  const auto refused = run_command(dir, corag + (dir / "nothing-here").string());
  CHECK(refused.exit_code != 0);
  CHECK_THAT(refused.err, Catch::Contains("nothing-here: no such folder"));
}

TEST_CASE("plot_report.py: figures 1 and 2, a learning curve and the retrieval shares, from the data they name",
          "[e2e][report]") {
  TempDir dir;
  write_run(dir / "runs/l16", {"local", "REL", 16, 0, 32, 10, 10, {8, 12}});
  write_run(dir / "runs/l64", {"local", "REL", 64, 0, 128, 6, 6, {4, 8}});
  write_run(dir / "runs/c16", {"collaborative", "REL", 16, 0, 1000, 15, 15, {14, 16}});
  write_run(dir / "runs/c64", {"collaborative", "REL", 64, 0, 1000, 14, 14, {12, 16}});
  std::string metrics;
  for (int round = 1; round <= 2; ++round) {
    for (int client = 1; client <= 2; ++client) {
      metrics += nlohmann::json({{"split", "test"},
                                 {"client", client},
                                 {"round", round},
                                 {"em", 10.0 * round + client},
                                 {"answer_recall", 50.0},
                                 {"retrieved_relevant", 20.0},
                                 {"retrieved_hard_negative", 30.0},
                                 {"retrieved_irrelevant", 50.0}})
                     .dump() +
                 "\n";
    }
  }
  write_text(dir / "runs/c64/metrics.jsonl", metrics);
  const std::string corag = std::string(CORAG_CLI_PATH) + " --quiet report " + (dir / "runs").string();
  REQUIRE(run_command(dir, corag + " --table 3 --format json --out " + (dir / "t3").string()).exit_code == 0);
  REQUIRE(run_command(dir, corag + " --table 6 --format json --out " + (dir / "t6").string()).exit_code == 0);
  const std::string plot = "/usr/bin/python3 " CORAG_SOURCE_DIR "/scripts/plot_report.py ";
  const std::vector<std::tuple<std::string, std::filesystem::path, std::filesystem::path>> figures = {
      {"shots", dir / "t3/report.json", dir / "t3/report.json"},
      {"clients", dir / "t6/report.json", dir / "t6/report.json"},
      {"curves", dir / "runs/c64", dir / "runs/c64/metrics.jsonl"},
      {"retrieval", dir / "runs/c64", dir / "runs/c64/metrics.jsonl"}};
  for (const auto& [figure, input, data] : figures) {
    INFO(figure);
    const auto out = dir / ("figure-" + figure);
    const auto drawn = run_command(dir, plot + figure + " " + input.string() + " " + out.string());
    INFO(drawn.err);
    REQUIRE(drawn.exit_code == 0);
    const auto png = corag::test::read_text(out.string() + ".png");
    CHECK(png.rfind("\x89PNG\r\n\x1a\n", 0) == 0);  // the PNG signature
    // The Source text chunk holds the SHA-256 of the file the figure was drawn from.
    CHECK(png.find(std::string("Source") + '\0' + file_sha256(data)) != std::string::npos);
    const auto svg = corag::test::read_text(out.string() + ".svg");
    CHECK(svg.find("<svg") != std::string::npos);
    CHECK(svg.find("</svg>") != std::string::npos);
  }
  // A closed-book run's metrics have no retrieval shares: refused, not drawn empty.
  write_text(dir / "runs/l64/metrics.jsonl", R"({"split": "test", "client": 1, "step": 2, "em": 4.0})"
                                             "\n");
  const auto refused = run_command(dir, plot + "retrieval " + (dir / "runs/l64").string() + " " + (dir / "x").string());
  CHECK(refused.exit_code != 0);
  CHECK_THAT(refused.err, Catch::Contains("no retrieval diagnostics"));
}

TEST_CASE("run report: rows in the paper's store order (table 5's ablations) and numbers by value", "[train][report]") {
  TempDir dir;
  const std::vector<std::string> stores = {
      "ablations/only-relevant",   "ablations/empty", "SPLIT", "ablations/relevant-plus-10", "REL",
      "ablations/relevant-plus-80"};
  int seed = 0;
  for (const auto& store : stores) {
    for (const int shots : {128, 16}) {
      write_run(dir / ("run-" + std::to_string(seed++)), {"local", store, shots, 0, 100, 1, 1});
    }
  }
  const auto report = build_run_report(find_reported_runs({dir.path()}), ReportTableKind::store_variants);
  CHECK(report.row_keys == std::vector<std::string>{"store.variant", "data.shots"});
  CHECK(report.rows == std::vector<std::string>{"REL, 16", "REL, 128", "SPLIT, 16", "SPLIT, 128",
                                                "ablations/relevant-plus-80, 16", "ablations/relevant-plus-80, 128",
                                                "ablations/relevant-plus-10, 16", "ablations/relevant-plus-10, 128",
                                                "ablations/empty, 16", "ablations/empty, 128",
                                                "ablations/only-relevant, 16", "ablations/only-relevant, 128"});
}

TEST_CASE("run report: retrieval diagnostics at each run's reported point, client average then seeds' mean",
          "[train][report]") {
  TempDir dir;
  // Two seeds of a collaborative run reported at round 2 (write_run), each with two clients'
  // test records at rounds 1 and 2; round 1 and the dev record must not count.
  const std::vector<std::string> fields = {"answer_recall",        "retrieved_relevant",      "retrieved_hard_negative",
                                           "retrieved_irrelevant", "retrieved_own",           "retrieved_other_clients",
                                           "retrieved_no_client",  "wrong_from_hard_negative"};
  for (const int seed : {0, 1}) {
    const auto run = write_run(dir / ("c" + std::to_string(seed)), {"collaborative", "REL", 64, seed, 1000, 30, 30});
    std::string metrics;
    for (const int round : {1, 2}) {
      for (const int client : {1, 2}) {
        nlohmann::json record = {{"split", "test"}, {"client", client}, {"round", round}, {"em", 1.0}};
        // Seed 0: clients 10 and 20 in every field at round 2; seed 1: 30 and 40. Round 1: 99.
        for (const auto& field : fields) record[field] = round == 1 ? 99.0 : 10.0 * (client + 2 * seed);
        metrics += record.dump() + "\n";
      }
    }
    metrics += nlohmann::json({{"split", "dev"}, {"client", 1}, {"round", 2}, {"answer_recall", 99.0}}).dump() + "\n";
    write_text(run / "metrics.jsonl", metrics);
  }
  write_run(dir / "closed", {"closed-book", "REL", 64, 0, 100, 3, 3});
  const auto report = build_run_report(find_reported_runs({dir.path()}), ReportTableKind::automatic);
  const auto& collaborative = report.cells.at({"", "collaborative"});
  REQUIRE(collaborative.retrieval.size() == fields.size());
  // Seed 0's client average 15, seed 1's 35: their mean 25, in every field.
  for (const auto& field : fields) CHECK(collaborative.retrieval.at(field) == Approx(25.0));
  CHECK(report.cells.at({"", "closed-book"}).retrieval.empty());
  const auto markdown = render_run_report(report, ReportFormat::md);
  CHECK_THAT(markdown, Catch::Contains("| all | collaborative | 25.0 | 25.0 | 25.0 | 25.0 | 25.0 | 25.0 | 25.0 |"));
  const auto json = nlohmann::json::parse(render_run_report(report, ReportFormat::json));
  CHECK(json["rows"][0]["cells"]["collaborative"]["retrieval"]["retrieved_own"] == Approx(25.0));
  CHECK_FALSE(json["rows"][0]["cells"]["closed-book"].contains("retrieval"));
}
