// `corag train --nproc N`: collaborative, local and centralized training over N processes
// (c10d, Gloo over 127.0.0.1) equal the one-process run of the same config and seed: the same
// EM/F1 and predictions, and losses and weights within 1e-6 relative (sums are added up in
// another order); they resume with another N, and a rank that hangs or dies stops the run with
// an error naming it.
#include <algorithm>
#include <cmath>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "corag/config/config_writer.hpp"
#include "corag/util/safetensors_reader.hpp"
#include "test_support.hpp"
#include "train/tiny_crab_world.hpp"

namespace {

using corag::test::read_jsonl;
using corag::test::read_text;
using corag::test::run_command;
using corag::test::TempDir;
using corag::test::write_text;

/// Collaborative REL training of the tiny world's 4-client build, `rounds` rounds.
std::filesystem::path write_config(const TempDir& dir, int rounds) {
  auto config = corag::test::tiny_experiment_config();
  config.data.crab_dir = corag::test::tiny_crab_build(4).string();
  config.data.clients = 4;
  config.federated.rounds = rounds;
  config.federated.local_epochs = 1;
  config.runtime.threads = 1;  // N ranks share this machine's cores
  const auto file = dir / ("collaborative-" + std::to_string(rounds) + ".yaml");
  write_text(file, corag::config_to_yaml(config));
  return file;
}

corag::test::CommandResult train(const TempDir& dir, const std::filesystem::path& config,
                                 const std::filesystem::path& out, const std::string& extra) {
  return run_command(
      dir, std::string(CORAG_CLI_PATH) + " train --config " + config.string() + " --out " + out.string() + " " + extra);
}

/// A fault injected by a shell script into a 2-rank run of `config` in a fresh folder `name`-N:
/// `action` (shell lines that may use $launcher, the launcher's pid) runs once round 1's
/// predictions are on disk, then the script waits for the launcher. Rank 0 writes summary.json
/// before the ranks' last collective, so a run without it after `action` was not over when the
/// fault came; a loaded machine can be slower than the run's last rounds, and then the fault is
/// tried again in a new folder, up to 3 times. The folder and the result of the last try.
std::pair<std::filesystem::path, corag::test::CommandResult> fault_inside_run(const TempDir& dir,
                                                                              const std::filesystem::path& config,
                                                                              const std::string& name,
                                                                              const std::string& launch_options,
                                                                              const std::string& action) {
  constexpr const char* kLate = "the fault came after the end of the run";
  for (int attempt = 1;; ++attempt) {
    const auto run = dir / (name + "-" + std::to_string(attempt));
    const auto script = dir / (name + ".sh");
    write_text(script, "set -u\n" + std::string(CORAG_CLI_PATH) + " train --config " + config.string() + " --out " +
                           run.string() + " --nproc 2 " + launch_options +
                           " &\n"
                           "launcher=$!\n"
                           "until [ -e " +
                           (run / "predictions" / "round-000001").string() +
                           " ] || ! kill -0 $launcher 2>/dev/null; do sleep 0.05; done\n" + action + "[ -e " +
                           (run / "summary.json").string() + " ] && echo '" + kLate +
                           "'\n"
                           "wait $launcher\n");
    auto result = run_command(dir, "bash " + script.string());
    if (result.out.find(kLate) == std::string::npos || attempt == 3) {
      CHECK_THAT(result.out, !Catch::Contains(kLate));
      return {run, result};
    }
  }
}

bool close(double a, double b) { return std::abs(a - b) <= 1e-6 * std::max({std::abs(a), std::abs(b), 1e-3}); }

/// The two runs' metrics agree: scores exactly, losses within 1e-6 relative; with `ranks`, the
/// records of a FedAvg round carry the second run's communication.
void check_same_metrics(const std::filesystem::path& reference, const std::filesystem::path& run,
                        std::optional<int> ranks) {
  const auto expected = read_jsonl(reference / "metrics.jsonl");
  const auto got = read_jsonl(run / "metrics.jsonl");
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("metrics line " << i + 1 << ": " << got[i].dump());
    for (const auto* key : {"client", "split", "em", "f1", "n", "answer_recall", "train_steps"})
      CHECK(got[i].at(key) == expected[i].at(key));
    CHECK(got[i].value("round", -1) == expected[i].value("round", -1));
    CHECK(got[i].value("step", -1) == expected[i].value("step", -1));
    for (const auto* key : {"loss_reader", "loss_retriever"}) {
      INFO(key << ": " << got[i].at(key).get<double>() << " against " << expected[i].at(key).get<double>());
      CHECK(close(got[i].at(key).get<double>(), expected[i].at(key).get<double>()));
    }
    if (!ranks) {
      CHECK_FALSE(got[i].contains("comm"));
      continue;
    }
    const auto& comm = got[i].at("comm");
    CHECK(comm.at("ranks") == *ranks);
    REQUIRE(comm.at("sent_bytes").size() == static_cast<std::size_t>(*ranks));
    for (int rank = 0; rank < *ranks; ++rank) {
      // At least the FedAvg buffer each way when there are other ranks.
      CHECK(comm.at("sent_bytes")[rank].get<std::uint64_t>() > (*ranks > 1 ? 100000u : 0u));
      CHECK(comm.at("received_bytes")[rank].get<std::uint64_t>() > (*ranks > 1 ? 100000u : 0u));
      CHECK(comm.at("aggregation_s")[rank].get<double>() >= 0);
    }
  }
}

/// Every tensor of the two model files within 1e-6 of the largest magnitude.
void check_close_weights(const std::filesystem::path& a, const std::filesystem::path& b) {
  const corag::SafetensorsReader left(a), right(b);
  REQUIRE(left.entries().size() == right.entries().size());
  for (const auto& entry : left.entries()) {
    INFO(a.string() << ": " << entry.name);
    const auto x = left.tensor(entry).to(torch::kFloat64);
    const auto y = right.tensor(entry.name).to(torch::kFloat64);
    const auto scale = std::max(x.abs().max().item<double>(), 1e-3);
    CHECK((x - y).abs().max().item<double>() <= 1e-6 * scale);
  }
}

/// The two runs both write `file` (a test predictions file always), with the same bytes.
void check_same_file(const std::filesystem::path& reference, const std::filesystem::path& run,
                     const std::filesystem::path& file) {
  INFO(file.string());
  if (file.string().find(".test.") != std::string::npos) REQUIRE(std::filesystem::is_regular_file(reference / file));
  REQUIRE(std::filesystem::exists(run / file) == std::filesystem::exists(reference / file));
  CHECK(read_text(run / file) == read_text(reference / file));
}

std::filesystem::path last_checkpoint(const std::filesystem::path& run) {
  std::filesystem::path last;
  for (const auto& entry : std::filesystem::directory_iterator(run / "checkpoints"))
    last = std::max(last, entry.path());
  return last;
}

/// The tail of scalars.csv's rows: the numbers, which must agree within 1e-6 relative.
void check_same_scalars(const std::filesystem::path& reference, const std::filesystem::path& run) {
  std::istringstream expected(read_text(reference / "scalars.csv")), got(read_text(run / "scalars.csv"));
  std::string want, have;
  while (std::getline(expected, want)) {
    REQUIRE(std::getline(got, have));
    INFO(want << "\n" << have);
    std::istringstream want_fields(want), have_fields(have);
    for (std::string a, b; std::getline(want_fields, a, ',') && std::getline(have_fields, b, ',');) {
      char* end = nullptr;
      const double number = std::strtod(a.c_str(), &end);
      if (a.empty() || *end != '\0') {
        CHECK(a == b);  // who, or an empty round
      } else {
        CHECK(close(number, std::stod(b)));
      }
    }
  }
  CHECK_FALSE(std::getline(got, have));
}

}  // namespace

TEST_CASE("corag train --nproc 2 and 3: collaborative training over processes equals the one-process run",
          "[e2e][dist]") {
  TempDir dir;
  const auto config = write_config(dir, 2);
  const auto reference = dir / "one-process";
  auto result = train(dir, config, reference, "");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto reference_table = result.out;
  for (const int ranks : {2, 3}) {
    const auto run = dir / ("nproc-" + std::to_string(ranks));
    result = train(dir, config, run, "--nproc " + std::to_string(ranks));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == reference_table);  // printed once, by rank 0
    check_same_metrics(reference, run, ranks);
    check_same_scalars(reference, run);
    for (const auto* split : {"test", "dev"}) {
      for (int client = 1; client <= 4; ++client) {
        const auto file = std::filesystem::path("predictions") / "round-000002" /
                          ("client_" + std::to_string(client) + "." + split + ".jsonl");
        check_same_file(reference, run, file);
      }
    }
    for (const auto* model : {"reader", "retriever"}) {
      check_close_weights(last_checkpoint(reference) / model / "model.safetensors",
                          last_checkpoint(run) / model / "model.safetensors");
    }
    // Rank 0 alone writes: one log, one card, nothing from the others.
    CHECK_THAT(read_text(run / "train.log"), Catch::Contains("on cpu, " + std::to_string(ranks) + " ranks"));
  }

  // Stopped after round 1 on 2 processes, resumed on 3: the same run.
  const auto resumed = dir / "resumed";
  result = train(dir, config, resumed, "--nproc 2 --stop-after 1");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  result = train(dir, config, resumed, "--nproc 3 --resume");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  auto metrics = read_jsonl(resumed / "metrics.jsonl");
  REQUIRE(metrics.size() == read_jsonl(reference / "metrics.jsonl").size());
  for (const auto& line : metrics) {
    if (line.at("round") == 1) CHECK(line.at("comm").at("ranks") == 2);
    if (line.at("round") == 2) CHECK(line.at("comm").at("ranks") == 3);
  }
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    const auto expected = read_jsonl(reference / "metrics.jsonl")[i];
    CHECK(metrics[i].at("em") == expected.at("em"));
    CHECK(close(metrics[i].at("loss_reader").get<double>(), expected.at("loss_reader").get<double>()));
  }
  CHECK(read_text(resumed / "summary.json").find("\"em\"") != std::string::npos);
}

TEST_CASE(
    "corag train --nproc 2: centralized training is data-parallel and equals the one-process run with the "
    "same micro-batches",
    "[e2e][dist]") {
  TempDir dir;
  const auto config = write_config(dir, 1);
  // The same micro-batches in both runs: the one process accumulates the two halves of each
  // batch that the two ranks compute (a forward over 2 questions differs from one over 4 in the
  // last bits, padding to other lengths).
  const std::string centralized =
      "--set train.mode=centralized --set train.steps=4 --set train.eval_every=2 --set train.micro_batch_size=2";
  auto result = train(dir, config, dir / "one-process", centralized);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  result = train(dir, config, dir / "nproc-2", centralized + " --nproc 2");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  check_same_metrics(dir / "one-process", dir / "nproc-2", std::nullopt);
  check_same_scalars(dir / "one-process", dir / "nproc-2");
  for (const auto* model : {"reader", "retriever"}) {
    check_close_weights(last_checkpoint(dir / "one-process") / model / "model.safetensors",
                        last_checkpoint(dir / "nproc-2") / model / "model.safetensors");
  }
}

TEST_CASE(
    "corag train --nproc 2 and 3: local clients train in parallel, equal the one-process run and resume with "
    "another N",
    "[e2e][dist]") {
  TempDir dir;
  const auto config = write_config(dir, 1);
  const std::string local = "--set train.mode=local --set train.steps=4 --set train.eval_every=2";
  const auto reference = dir / "one-process";
  auto result = train(dir, config, reference, local);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto reference_table = result.out;
  // Every file a local run writes, against the one-process run's: metrics and scalars.csv in the
  // same order, the same predictions, the last checkpoint (client 4) and best/ within 1e-6.
  const auto check_same_run = [&](const std::filesystem::path& run) {
    check_same_metrics(reference, run, std::nullopt);
    check_same_scalars(reference, run);
    for (int client = 1; client <= 4; ++client) {
      for (const auto* step : {"step-000002", "step-000004"}) {
        for (const auto* split : {"test", "dev"}) {
          const auto file = std::filesystem::path("predictions") / ("client" + std::to_string(client) + "-" + step) /
                            ("client_" + std::to_string(client) + "." + split + ".jsonl");
          check_same_file(reference, run, file);
        }
      }
      for (const auto* model : {"reader", "retriever"}) {
        const auto file =
            std::filesystem::path("best") / ("client_" + std::to_string(client)) / model / "model.safetensors";
        check_close_weights(reference / file, run / file);
      }
    }
    CHECK(read_text(run / "best" / "best.json") == read_text(reference / "best" / "best.json"));
    for (const auto* model : {"reader", "retriever"}) {
      check_close_weights(last_checkpoint(reference) / model / "model.safetensors",
                          last_checkpoint(run) / model / "model.safetensors");
    }
    CHECK_FALSE(std::filesystem::exists(run / "best-candidates"));
  };
  for (const int ranks : {2, 3}) {
    const auto run = dir / ("nproc-" + std::to_string(ranks));
    result = train(dir, config, run, local + " --nproc " + std::to_string(ranks));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == reference_table);
    check_same_run(run);
  }

  // Stopped at the first eval point of 3 clients training at once: the checkpoint holds the three
  // models, and the records of clients 2 and 3 wait in its state for client 1's to be written.
  const auto resumed = dir / "resumed";
  result = train(dir, config, resumed, local + " --nproc 3 --stop-after 1");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto state = nlohmann::json::parse(read_text(last_checkpoint(resumed) / "state" / "state.json"));
  CHECK(state.at("client") == 1);
  CHECK(state.at("step") == 2);
  std::size_t records_per_point = 0;  // test, and dev where the build has dev questions
  for (const auto& line : read_jsonl(reference / "metrics.jsonl"))
    records_per_point += line.at("client") == 1 && line.at("step") == 2 ? 1 : 0;
  REQUIRE(records_per_point >= 1);
  REQUIRE(state.at("other_clients").size() == 2);
  for (const int client : {2, 3}) {
    const auto& other = state.at("other_clients")[client - 2];
    CHECK(other.at("client") == client);
    CHECK(other.at("step") == 2);
    CHECK(other.at("records").size() == records_per_point);
    CHECK(other.at("scalars").size() == 2);  // steps 1 and 2
    CHECK(std::filesystem::is_regular_file(last_checkpoint(resumed) / "clients" / ("client_" + std::to_string(client)) /
                                           "reader" / "model.safetensors"));
  }
  CHECK(read_jsonl(resumed / "metrics.jsonl").size() == records_per_point);  // client 1's only
  // Resumed on 2 ranks: clients 1 and 2 go on together while client 3 waits, carried from
  // checkpoint to checkpoint; then clients 3 and 4, at different steps, one after the other.
  result = train(dir, config, resumed, local + " --nproc 2 --resume");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  check_same_run(resumed);

  // Stopped on 2 ranks, resumed in one process.
  const auto one = dir / "resumed-in-one";
  result = train(dir, config, one, local + " --nproc 2 --stop-after 1");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  result = train(dir, config, one, local + " --resume");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  check_same_run(one);
}

TEST_CASE("corag train --nproc: a rank that hangs or dies stops the run, naming it, --resume finishes it",
          "[e2e][dist]") {
  TempDir dir;
  const auto config = write_config(dir, 6);
  // Rank 1, a child of the launcher found by its RANK variable, gets `signal`.
  const auto faulted = [&](const std::string& name, const std::string& signal) {
    return fault_inside_run(dir, config, name, "--dist-timeout 5",
                            "for child in $(pgrep -P $launcher); do\n"
                            "  if tr '\\0' '\\n' < /proc/$child/environ | grep -qx RANK=1; then kill -" +
                                signal +
                                " $child; fi\n"
                                "done\n");
  };

  // A rank that hangs (stopped): rank 0 gives up after --dist-timeout, naming rank 1 and what it
  // was doing; the launcher then kills rank 1.
  const auto started = std::chrono::steady_clock::now();
  auto [hung, result] = faulted("hung", "STOP");
  INFO(result.err);
  CHECK(result.exit_code != 0);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(120));
  // Where rank 0 waits depends on where the signal found rank 1: a FedAvg round, an evaluation.
  CHECK_THAT(result.err, Catch::Contains("rank 0 of 2: round") && Catch::Contains("(timeout 5 s)") &&
                             Catch::Contains("rank 1 was: round") && Catch::Contains("rank 1 was killed by signal 9"));
  // The checkpoints written before the fault are whole, and --resume (here on 3 ranks) ends the run.
  result = train(dir, config, hung, "--nproc 3 --resume --dist-timeout 60");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);

  // A rank that dies: rank 0 stops at once, naming rank 1's end.
  std::filesystem::path died;
  std::tie(died, result) = faulted("died", "KILL");
  INFO(result.err);
  CHECK(result.exit_code != 0);
  CHECK_THAT(result.err, Catch::Contains("rank 1 was killed by signal 9") && Catch::Contains("rank 0 of 2: round"));
  result = train(dir, config, died, "--resume");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);

  // Both resumed runs reach the uninterrupted run's scores.
  const auto reference = dir / "reference";
  result = train(dir, config, reference, "");
  REQUIRE(result.exit_code == 0);
  const auto expected = read_jsonl(reference / "metrics.jsonl");
  for (const auto& run : {hung, died}) {
    const auto got = read_jsonl(run / "metrics.jsonl");
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].at("em") == expected[i].at("em"));
      CHECK(got[i].at("f1") == expected[i].at("f1"));
    }
  }
}

TEST_CASE("corag train --nproc: ranks end with their launcher, and the run resumes", "[e2e][dist]") {
  TempDir dir;
  const auto config = write_config(dir, 6);
  // The launcher is killed (as a batch system stops a job) once round 1 is on disk; its ranks,
  // reparented, must end within 10 s (a zombie that nothing reaps counts as ended).
  auto [run, result] =
      fault_inside_run(dir, config, "run", "",
                       "ranks=$(pgrep -P $launcher)\n"
                       "kill -TERM $launcher; wait $launcher\n"
                       "alive() { for r in $ranks; do\n"
                       "  [ -e /proc/$r ] && ! grep -q ') Z ' /proc/$r/stat && return 0; done; return 1; }\n"
                       "for i in $(seq 100); do alive || break; sleep 0.1; done\n"
                       "echo \"ranks $(echo $ranks | wc -w), alive $(alive && echo yes || echo no)\"\n");
  INFO(result.err);
  CHECK_THAT(result.out, Catch::Contains("ranks 2, alive no"));
  result = train(dir, config, run, "--nproc 2 --resume");
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  const auto metrics = read_jsonl(run / "metrics.jsonl");
  REQUIRE_FALSE(metrics.empty());
  CHECK(metrics.back().at("round") == 6);
  CHECK(std::count_if(metrics.begin(), metrics.end(), [](const auto& line) { return line.at("round") == 1; }) * 6 ==
        static_cast<std::ptrdiff_t>(metrics.size()));
}

TEST_CASE("corag train: rank options and variables are checked before any work", "[e2e][dist]") {
  TempDir dir;
  const auto config = write_config(dir, 1);
  auto result = run_command(dir, "RANK=0 WORLD_SIZE=2 " + std::string(CORAG_CLI_PATH) + " train --config " +
                                     config.string() + " --out " + (dir / "run").string() + " --nproc 2");
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("--nproc 2: this process is already rank 0 of 2"));
  result = run_command(dir, "RANK=1 " + std::string(CORAG_CLI_PATH) + " train --config " + config.string() + " --out " +
                                (dir / "run").string());
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("needs both its rank and the world size"));
  // Rank 1 of 2 with no master: a clear error within the timeout.
  result = run_command(dir, "RANK=1 WORLD_SIZE=2 MASTER_PORT=9 " + std::string(CORAG_CLI_PATH) + " train --config " +
                                config.string() + " --out " + (dir / "run").string() + " --dist-timeout 2");
  CHECK(result.exit_code == 1);
  CHECK_THAT(result.err, Catch::Contains("rank 1 of 2: cannot reach the master 127.0.0.1:9 within 2 s"));
  CHECK_FALSE(std::filesystem::exists(dir / "run"));
}
