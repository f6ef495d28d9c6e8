// `corag train` and `corag eval` end to end on the tiny CRAB world: the tools a user runs, from
// a YAML config, checked against each other (a checkpoint re-evaluated by `corag eval` and the
// run's own predictions file scored by `corag eval --predictions` give the run's metrics).
#include <sstream>

#include <nlohmann/json.hpp>

#include "corag/config/config_writer.hpp"
#include "test_support.hpp"
#include "train/tiny_crab_world.hpp"

using corag::test::read_jsonl;
using corag::test::read_text;
using corag::test::run_command;
using corag::test::TempDir;
using corag::test::write_text;

TEST_CASE("corag train and corag eval: a collaborative run, its checkpoint and predictions re-scored", "[e2e][train]") {
  TempDir dir;
  const auto config = corag::test::tiny_experiment_config();
  write_text(dir / "tiny.yaml", corag::config_to_yaml(config));
  const std::string cli = CORAG_CLI_PATH;
  const auto run = dir / "run";

  // stderr is not a terminal here: progress comes as heartbeat log lines (every step, with
  // CORAG_HEARTBEAT_SECONDS=0.000001) carrying the step count, rate, ETA and the last loss.
  auto result =
      run_command(dir, "CORAG_HEARTBEAT_SECONDS=0.000001 " + cli + " train --config " + (dir / "tiny.yaml").string() +
                           " --out " + run.string() + " --set federated.rounds=2");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::string heartbeat;
  std::istringstream err_lines(result.err);
  for (std::string line; std::getline(err_lines, line) && heartbeat.empty();) {
    if (line.find("] info round 1/2 client 1  1/") != std::string::npos) heartbeat = line;
  }
  CHECK_THAT(heartbeat, Catch::Matches("\\[20[0-9]{2}-[0-9]{2}-[0-9]{2} [0-9:]{8}\\] info round 1/2 client 1  1/[0-9]+ "
                                       "\\[.*\\] .* steps/s  ETA .*  loss [0-9.]+  retriever [0-9.]+"
                                       "  run [0-9.]+% ETA .+"));  // and the whole run's share and ETA
  // The run directory keeps its own log: the run's lines, dated.
  const auto log = read_text(run / "train.log");
  CHECK_THAT(log, Catch::Contains("] info train: collaborative mode, 2 clients") &&
                      Catch::Contains("] info round 2: aggregated 2 clients"));
  CHECK(log.rfind("[20", 0) == 0);
  // The run card: one finished session, the command line, and the SHA-256 of the inputs as
  // coreutils' sha256sum computes them.
  const auto card = nlohmann::json::parse(read_text(run / "run_card.json"));
  REQUIRE(card["sessions"].size() == 1);
  const auto& session = card["sessions"][0];
  CHECK(session["finished"].is_string());
  CHECK(session["command"][1] == "train");
  CHECK(session["build"]["libtorch"].get<std::string>().size() > 0);
  const auto reader_config = config.model.reader + "/config.json";
  const auto sha256sum = run_command(dir, "sha256sum " + reader_config);
  REQUIRE(sha256sum.exit_code == 0);
  CHECK(session["inputs_sha256"]["model.reader"]["config.json"] == sha256sum.out.substr(0, 64));
  CHECK(run_command(dir, "CORAG_HEARTBEAT_SECONDS=soon " + cli + " train --config " + (dir / "tiny.yaml").string() +
                             " --out " + (dir / "bad-heartbeat").string())
            .err.find("CORAG_HEARTBEAT_SECONDS: expected seconds >= 0, got 'soon'") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "bad-heartbeat"));  // refused before any work
  // A missing input is named by its config key before the run directory is made.
  const auto missing =
      run_command(dir, cli + " train --config " + (dir / "tiny.yaml").string() + " --out " +
                           (dir / "no-crab").string() + " --set data.crab_dir=" + (dir / "nowhere").string());
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("data.crab_dir: " + (dir / "nowhere").string() + ": no such folder"));
  CHECK_FALSE(std::filesystem::exists(dir / "no-crab"));
  CHECK(result.out.find("**collaborative** (REL): best client-averaged test EM across eval points (round ") !=
        std::string::npos);
  CHECK(result.out == read_text(run / "table.md"));
  CHECK(result.err.find("round 2/2 client 2") != std::string::npos);  // progress reaches the log
  const auto records = read_jsonl(run / "metrics.jsonl");
  REQUIRE(records.size() == 4);  // 2 rounds x 2 clients, test only
  const auto summary = nlohmann::json::parse(read_text(run / "summary.json"));
  CHECK(summary["mode"] == "collaborative");

  // The last checkpoint holds round 2's global model: corag eval gives round 2's records.
  result =
      run_command(dir, cli + " eval --checkpoint " + (run / "checkpoints" / "ckpt-000002").string() + " --config " +
                           (dir / "tiny.yaml").string() + " --out " + (dir / "eval").string() + " --json -q");
  REQUIRE(result.exit_code == 0);
  const auto evaluated = nlohmann::json::parse(result.out);
  REQUIRE(evaluated["clients"].size() == 2);
  for (int client = 0; client < 2; ++client) {
    const auto& record = records[static_cast<std::size_t>(2 + client)];
    REQUIRE(record["round"] == 2);
    for (const char* key : {"em", "f1", "n"}) CHECK(evaluated["clients"][client][key] == record[key]);
  }
  CHECK(read_text(dir / "eval" / "client_1.test.jsonl") ==
        read_text(run / "predictions" / "round-000002" / "client_1.test.jsonl"));

  // The run's predictions file scored against the client's gold test split.
  result = run_command(dir, cli + " eval --predictions " +
                                (run / "predictions" / "round-000002" / "client_2.test.jsonl").string() + " --gold " +
                                (corag::test::tiny_crab_world().crab / "splits" / "test" / "client_2.jsonl").string() +
                                " --json");
  REQUIRE(result.exit_code == 0);
  const auto scored = nlohmann::json::parse(result.out);
  for (const char* key : {"em", "f1", "n"}) CHECK(scored[key] == records[3][key]);

  // Rerunning into the same directory is refused; --resume of a finished run changes nothing.
  result = run_command(dir, cli + " train --config " + (dir / "tiny.yaml").string() + " --out " + run.string() +
                                " --set federated.rounds=2");
  CHECK(result.exit_code == 1);
  CHECK(result.err.find("--resume") != std::string::npos);
  result = run_command(dir, cli + " train --config " + (dir / "tiny.yaml").string() + " --out " + run.string() +
                                " --set federated.rounds=2 --resume -q");
  CHECK(result.exit_code == 0);
  CHECK(read_jsonl(run / "metrics.jsonl") == records);

  // Bad input: an unknown key is named; eval needs --gold with --predictions.
  result = run_command(dir, cli + " train --config " + (dir / "tiny.yaml").string() + " --out " + (dir / "x").string() +
                                " --set train.learning_rate=1");
  CHECK(result.exit_code != 0);
  CHECK(result.err.find("train.learning_rate") != std::string::npos);
  result = run_command(dir, cli + " eval --predictions " + (dir / "tiny.yaml").string());
  CHECK(result.exit_code != 0);
}

TEST_CASE("corag train --seeds: one run per seed and their mean and standard deviation", "[e2e][train]") {
  TempDir dir;
  auto config = corag::test::tiny_experiment_config();
  config.federated.rounds = 1;
  config.federated.local_epochs = 1;
  write_text(dir / "tiny.yaml", corag::config_to_yaml(config));
  const std::string train = std::string(CORAG_CLI_PATH) + " train -q --config " + (dir / "tiny.yaml").string() +
                            " --out " + (dir / "runs").string();
  const auto result = run_command(dir, train + " --seeds 3,5");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto seeds = nlohmann::json::parse(read_text(dir / "runs" / "seeds.json"));
  REQUIRE(seeds["seeds"].size() == 2);
  double mean = 0;
  for (const auto& [index, seed] : std::vector<std::pair<int, int>>{{0, 3}, {1, 5}}) {
    const auto run = dir / "runs" / ("seed-" + std::to_string(seed));
    const auto summary = nlohmann::json::parse(read_text(run / "summary.json"));
    CHECK(seeds["seeds"][index]["seed"] == seed);
    CHECK(seeds["seeds"][index]["em"] == summary["best"]["em"]);
    CHECK(read_text(run / "config.resolved.yaml").find("seed: " + std::to_string(seed)) != std::string::npos);
    mean += summary["best"]["em"].get<double>() / 2;
  }
  CHECK(seeds["mean"]["em"].get<double>() == Catch::Detail::Approx(mean));
  CHECK(result.out == read_text(dir / "runs" / "seeds.md"));
  CHECK(result.out.find("| mean ± std (n = 2) |") != std::string::npos);
  // Finished seeds are resumed, not rerun; a repeated seed is refused.
  CHECK(run_command(dir, train + " --seeds 3,5 --resume").exit_code == 0);
  CHECK(run_command(dir, train + " --seeds 3,3 --resume").exit_code != 0);
}
