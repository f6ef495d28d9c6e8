// The training building blocks on hand-computed cases: perplexity distillation (value and
// gradient), the linear schedule, the epoch order, run summaries and predictions scoring.
#include <cmath>
#include <set>

#include <torch/torch.h>

#include "corag/train/best_model.hpp"
#include "corag/train/epoch_sampler.hpp"
#include "corag/train/evaluation.hpp"
#include "corag/train/linear_schedule.hpp"
#include "corag/train/perplexity_distillation.hpp"
#include "corag/train/pretrain_config.hpp"
#include "corag/train/run_state.hpp"
#include "corag/train/run_summary.hpp"
#include "test_support.hpp"

using namespace corag;
using Catch::Detail::Approx;
using corag::test::error_message;
using corag::test::read_text;
using corag::test::TempDir;
using corag::test::write_text;

TEST_CASE("perplexity distillation: KL(softmax(-nll/Tg) || softmax(score/Ts)) by hand, empty slots ignored",
          "[train]") {
  // Question 0: slots 0, 1 hold passages, slot 2 is empty; question 1: all three.
  auto scores = torch::tensor({1.0f, 2.0f, 50.0f, 0.5f, -0.5f, 0.0f}).reshape({2, 3}).requires_grad_(true);
  const auto nll = torch::tensor({0.5f, 1.0f, 9.0f, 2.0f, 1.0f, 3.0f}).reshape({2, 3});
  const auto mask = torch::tensor({1, 1, 0, 1, 1, 1}).reshape({2, 3}).to(torch::kBool);
  const double tg = 0.5, ts = 2.0;
  auto loss = perplexity_distillation_loss(scores, nll, mask, tg, ts);

  const auto kl = [](std::vector<double> gold, std::vector<double> student) {
    double gz = 0, sz = 0, total = 0;
    for (auto& g : gold) gz += std::exp(g);
    for (auto& s : student) sz += std::exp(s);
    for (std::size_t i = 0; i < gold.size(); ++i) {
      const double p = std::exp(gold[i]) / gz, q = std::exp(student[i]) / sz;
      total += p * std::log(p / q);
    }
    return total;
  };
  const double expected = kl({-0.5 / tg, -1.0 / tg}, {1.0 / ts, 2.0 / ts}) +
                          kl({-2.0 / tg, -1.0 / tg, -3.0 / tg}, {0.5 / ts, -0.5 / ts, 0.0 / ts});
  CHECK(loss.item<double>() == Approx(expected).epsilon(1e-5));

  loss.backward();
  // d KL / d score_i = (q_i - p_i) / Ts; nothing flows into the empty slot.
  const auto grad = scores.grad();
  const double p0 = 1 / (1 + std::exp(-1.0 / tg + 0.5 / tg)), q0 = 1 / (1 + std::exp(2.0 / ts - 1.0 / ts));
  CHECK(grad[0][0].item<double>() == Approx((q0 - p0) / ts).epsilon(1e-5));
  CHECK(grad[0][1].item<double>() == Approx((p0 - q0) / ts).epsilon(1e-5));
  CHECK(grad[0][2].item<double>() == 0.0);
  CHECK(grad[1].sum().item<double>() == Approx(0.0).margin(1e-6));

  // A question without any passage adds nothing and gets a zero (not NaN) gradient.
  auto lonely = torch::tensor({3.0f, 1.0f}).reshape({1, 2}).requires_grad_(true);
  auto none =
      perplexity_distillation_loss(lonely, torch::zeros({1, 2}), torch::zeros({1, 2}, torch::kBool), 0.01, 0.01);
  none.backward();
  CHECK(none.item<double>() == 0.0);
  CHECK(torch::equal(lonely.grad(), torch::zeros({1, 2})));

  // Same ranking in gold and student at Atlas's temperatures: the loss vanishes.
  const auto same = torch::tensor({0.01f, 0.02f}).reshape({1, 2});
  CHECK(perplexity_distillation_loss(same, -same, torch::ones({1, 2}, torch::kBool), 0.01, 0.01).item<double>() ==
        Approx(0.0).margin(1e-6));
  CHECK_THROWS_AS(perplexity_distillation_loss(same, torch::zeros({1, 3}), torch::ones({1, 2}, torch::kBool), 1, 1),
                  Error);
}

TEST_CASE("linear schedule: Atlas's WarmupLinearScheduler with ratio 0.1, by hand", "[train]") {
  // Atlas (src/util.py): step < warmup: (1 - r) * step / warmup + r; then
  // 1 + (r - 1) * (step - warmup) / (total - warmup), never below 0.
  const LinearSchedule warm(2, 6, 0.1);
  CHECK(warm.factor(0) == Approx(0.1));
  CHECK(warm.factor(1) == Approx(0.55));
  CHECK(warm.factor(2) == Approx(1.0));
  CHECK(warm.factor(3) == Approx(0.775));
  CHECK(warm.factor(5) == Approx(0.325));
  CHECK(warm.factor(6) == Approx(0.1));
  const LinearSchedule none(0, 4, 0.1);
  CHECK(none.factor(0) == Approx(1.0));
  CHECK(none.factor(1) == Approx(0.775));
  CHECK(none.factor(3) == Approx(0.325));
  CHECK(none.factor(4) == Approx(0.1));
  const LinearSchedule to_zero(2, 6, 0.0);
  CHECK(to_zero.factor(0) == 0.0);
  CHECK(to_zero.factor(1) == Approx(0.5));
  CHECK(to_zero.factor(4) == Approx(0.5));
  CHECK(to_zero.factor(7) == 0.0);
  CHECK_THROWS_AS(LinearSchedule(0, 0, 0.1), Error);
  CHECK_THROWS_AS(LinearSchedule(0, 4, 1.5), Error);
}

TEST_CASE("epoch sampler: each epoch a seeded permutation in batches, any step reproducible alone", "[train]") {
  EpochSampler sampler(5, 2, 42);
  REQUIRE(sampler.steps_per_epoch() == 3);
  for (int epoch = 0; epoch < 3; ++epoch) {
    std::multiset<std::size_t> seen;
    std::vector<std::size_t> sizes;
    for (int s = 0; s < 3; ++s) {
      const auto batch = sampler.batch(epoch * 3 + s);
      sizes.push_back(batch.size());
      seen.insert(batch.begin(), batch.end());
    }
    CHECK(sizes == std::vector<std::size_t>{2, 2, 1});
    CHECK(seen == std::multiset<std::size_t>{0, 1, 2, 3, 4});
  }
  EpochSampler fresh(5, 2, 42);
  CHECK(fresh.batch(4) == sampler.batch(4));
  EpochSampler other(5, 2, 43);
  bool differs = false;
  for (int s = 0; s < 9; ++s) differs = differs || other.batch(s) != sampler.batch(s);
  CHECK(differs);
  EpochSampler small(3, 64, 1);  // batch larger than the data: one step per epoch
  CHECK(small.steps_per_epoch() == 1);
  CHECK(small.batch(0).size() == 3);
}

TEST_CASE(
    "run summaries: every regime takes the best point of the client average (micro for centralized), "
    "dev selection reports test at the best dev point",
    "[train]") {
  const auto record = [](const char* key, int point, int client, double em, double f1, int n,
                         const char* split = "test") {
    return nlohmann::json{{key, point}, {"client", client}, {"split", split}, {"em", em}, {"f1", f1}, {"n", n}};
  };
  // Round 1: clients 10 and 50 (mean 30); round 2: 40 and 30 (mean 35) -> round 2.
  std::vector<nlohmann::json> rounds = {record("round", 1, 1, 10, 20, 10), record("round", 1, 2, 50, 60, 30),
                                        record("round", 2, 1, 40, 45, 10), record("round", 2, 2, 30, 35, 30)};
  // Answer recall@k of the clients: 50 and 70 at round 1, 80 and 90 at round 2.
  for (std::size_t i = 0; i < rounds.size(); ++i) rounds[i]["answer_recall"] = std::vector<double>{50, 70, 80, 90}[i];
  auto summary = summarize_run(TrainMode::collaborative, rounds);
  CHECK(summary["best"]["round"] == 2);
  // The curve: every round with its client-averaged EM and recall.
  REQUIRE(summary["curve"].size() == 2);
  CHECK(summary["curve"][0]["round"] == 1);
  CHECK(summary["curve"][0]["em"].get<double>() == Approx(30));
  CHECK(summary["curve"][0]["answer_recall"].get<double>() == Approx(60));
  CHECK(summary["curve"][1]["answer_recall"].get<double>() == Approx(85));
  CHECK(summary["best"]["em"].get<double>() == Approx(35));
  CHECK(summary["best"]["f1"].get<double>() == Approx(40));
  CHECK(summary["clients"].size() == 2);
  CHECK(!summary.contains("dev_selected"));
  // Micro-averaged, the same numbers pick round 1: (10*10 + 50*30)/40 = 40 vs (400 + 900)/40 = 32.5.
  std::vector<nlohmann::json> steps;
  for (auto r : rounds) {
    r["step"] = r["round"];
    r.erase("round");
    steps.push_back(r);
  }
  summary = summarize_run(TrainMode::centralized, steps);
  CHECK(summary["best"]["step"] == 1);
  CHECK(summary["best"]["em"].get<double>() == Approx(40));
  CHECK(summary["average"]["averaging"] == "micro");
  // Micro-averaged recall: (50*10 + 70*30)/40 = 65 and (80*10 + 90*30)/40 = 87.5.
  CHECK(summary["curve"][0]["answer_recall"].get<double>() == Approx(65));
  CHECK(summary["curve"][1]["answer_recall"].get<double>() == Approx(87.5));
  CHECK(summary["curve"][1]["em"].get<double>() == Approx(32.5));
  // Local follows the same rule: step 2 (mean 35), not each client's own best (50 and 40: 45).
  summary = summarize_run(TrainMode::local, steps);
  CHECK(summary["best"]["step"] == 2);
  CHECK(summary["average"]["em"].get<double>() == Approx(35));
  CHECK(summary["average"]["f1"].get<double>() == Approx(40));
  CHECK(summary["clients"][1]["em"].get<double>() == Approx(30));
  auto table = render_summary_table(summary);
  CHECK(table.find("(step 2)") != std::string::npos);
  CHECK(table.find("| 2 | 30.00 | 35.00 | 30 |\n") != std::string::npos);
  CHECK(table.find("| average | 35.00 | 40.00 | 40 |\n") != std::string::npos);

  // Dev at step 1 averages 70, at step 2 only 20: dev selects step 1, where test averages 30.
  steps.push_back(record("step", 1, 1, 60, 61, 5, "dev"));
  steps.push_back(record("step", 1, 2, 80, 81, 5, "dev"));
  steps.push_back(record("step", 2, 1, 20, 21, 5, "dev"));
  steps.push_back(record("step", 2, 2, 20, 21, 5, "dev"));
  summary = summarize_run(TrainMode::local, steps);
  CHECK(summary["best"]["step"] == 2);  // the paper's rule still looks at test
  CHECK(summary["dev_selected"]["step"] == 1);
  CHECK(summary["dev_selected"]["dev_em"].get<double>() == Approx(70));
  CHECK(summary["dev_selected"]["em"].get<double>() == Approx(30));
  CHECK(summary["dev_selected"]["f1"].get<double>() == Approx(40));
  table = render_summary_table(summary);
  CHECK(table.find("Selected on dev (step 1): test EM 30.00, F1 40.00 (dev EM 70.00)") != std::string::npos);
  CHECK_THROWS_AS(summarize_run(TrainMode::local, {}), Error);
  // Closed-book records have no recall, and neither has their curve.
  CHECK_FALSE(
      summarize_run(TrainMode::centralized, {record("step", 1, 1, 10, 20, 10)})["curve"][0].contains("answer_recall"));
}

TEST_CASE("seed summaries: mean and sample standard deviation of the runs' best scores, by hand", "[train]") {
  const auto run = [](double em, double f1, double dev_em) {
    return nlohmann::json{{"best", {{"em", em}, {"f1", f1}}}, {"dev_selected", {{"em", dev_em}, {"f1", f1 - 1}}}};
  };
  // EM 30, 33, 36: mean 33, sample std sqrt((9 + 0 + 9) / 2) = 3. F1 40, 40, 43: mean 41, std sqrt(3).
  const auto seeds = summarize_seeds({{0, run(30, 40, 20)}, {1, run(33, 40, 22)}, {2, run(36, 43, 30)}});
  CHECK(seeds["n"] == 3);
  CHECK(seeds["mean"]["em"].get<double>() == Approx(33));
  CHECK(seeds["std"]["em"].get<double>() == Approx(3));
  CHECK(seeds["mean"]["f1"].get<double>() == Approx(41));
  CHECK(seeds["std"]["f1"].get<double>() == Approx(std::sqrt(3.0)));
  CHECK(seeds["dev_selected"]["mean"]["em"].get<double>() == Approx(24));
  CHECK(seeds["dev_selected"]["std"]["em"].get<double>() == Approx(std::sqrt((16 + 4 + 36) / 2.0)));
  CHECK(seeds["seeds"][2]["seed"] == 2);
  const auto table = render_seeds_table(seeds);
  CHECK(table.find("| 1 | 33.00 | 40.00 | 22.00 | 39.00 |") != std::string::npos);
  CHECK(table.find("| mean ± std (n = 3) | 33.00 ± 3.00 | 41.00 ± 1.73 | 24.00 ± 5.29 |") != std::string::npos);
  // One run: std 0; a run without dev selection drops the dev columns.
  const auto one = summarize_seeds({{7, nlohmann::json{{"best", {{"em", 12.5}, {"f1", 20.0}}}}}});
  CHECK(one["std"]["em"] == 0.0);
  CHECK(!one.contains("dev_selected"));
  CHECK_THROWS_AS(summarize_seeds({}), Error);
}

TEST_CASE("scoring a predictions file: by id, by position, and what is refused", "[train]") {
  TempDir dir;
  write_text(dir / "gold.jsonl", R"({"id": "q1", "question": "who?", "answers": ["The Beatles", "Beatles"]})"
                                 "\n"
                                 R"({"id": "q2", "question": "where?", "answer": ["Paris"]})"
                                 "\n");
  write_text(dir / "by_id.jsonl", R"({"id": "q2", "prediction": "paris, France"})"
                                  "\n"
                                  R"({"id": "q1", "prediction": "beatles!"})"
                                  "\n");
  auto totals = score_predictions_file(dir / "by_id.jsonl", dir / "gold.jsonl");
  CHECK(totals.count() == 2);
  CHECK(totals.em_percent() == Approx(50.0));
  CHECK(totals.f1_percent() == Approx(100.0 * (1.0 + 2.0 / 3.0) / 2.0));

  write_text(dir / "by_position.jsonl", R"({"prediction": "beatles!"})"
                                        "\n"
                                        R"({"prediction": "Paris"})"
                                        "\n");
  CHECK(score_predictions_file(dir / "by_position.jsonl", dir / "gold.jsonl").em_percent() == Approx(100.0));

  write_text(dir / "short.jsonl", R"({"prediction": "x"})"
                                  "\n");
  CHECK(error_message([&] { score_predictions_file(dir / "short.jsonl", dir / "gold.jsonl"); }).find("by position") !=
        std::string::npos);
  write_text(dir / "unknown.jsonl", R"({"id": "q1", "prediction": "x"})"
                                    "\n"
                                    R"({"id": "q2", "prediction": "x"})"
                                    "\n"
                                    R"({"id": "q9", "prediction": "x"})"
                                    "\n");
  CHECK(error_message([&] {
          score_predictions_file(dir / "unknown.jsonl", dir / "gold.jsonl");
        }).find("unknown.jsonl:3: id 'q9'") != std::string::npos);
  write_text(dir / "missing.jsonl", R"({"id": "q1", "prediction": "x"})"
                                    "\n");
  CHECK(error_message([&] {
          score_predictions_file(dir / "missing.jsonl", dir / "gold.jsonl");
        }).find("no prediction for 1 of 2") != std::string::npos);
  write_text(dir / "repeated.jsonl", R"({"id": "q1", "prediction": "x"})"
                                     "\n"
                                     R"({"id": "q1", "prediction": "y"})"
                                     "\n");
  CHECK(error_message([&] {
          score_predictions_file(dir / "repeated.jsonl", dir / "gold.jsonl");
        }).find("repeated.jsonl:2: id 'q1' was already predicted") != std::string::npos);
  write_text(dir / "mixed.jsonl", R"({"id": "q1", "prediction": "x"})"
                                  "\n"
                                  R"({"prediction": "y"})"
                                  "\n");
  CHECK_THAT(error_message([&] { score_predictions_file(dir / "mixed.jsonl", dir / "gold.jsonl"); }),
             Catch::Contains("mixed.jsonl:2: has no \"id\""));
  write_text(dir / "mixed_late.jsonl", R"({"prediction": "x"})"
                                       "\n"
                                       R"({"id": "q2", "prediction": "y"})"
                                       "\n");
  CHECK_THAT(error_message([&] { score_predictions_file(dir / "mixed_late.jsonl", dir / "gold.jsonl"); }),
             Catch::Contains("mixed_late.jsonl:2: has an \"id\""));
  write_text(dir / "gold_partial.jsonl", R"({"id": "q1", "question": "who?", "answers": ["x"]})"
                                         "\n"
                                         R"({"question": "where?", "answers": ["y"]})"
                                         "\n");
  CHECK_THAT(error_message([&] { score_predictions_file(dir / "by_id.jsonl", dir / "gold_partial.jsonl"); }),
             Catch::Contains("gold_partial.jsonl: question 2 has no id"));
  // One id on two gold questions: its one prediction would be scored twice.
  write_text(dir / "gold_repeated.jsonl", R"({"id": "q1", "question": "who?", "answers": ["x"]})"
                                          "\n"
                                          R"({"id": "q2", "question": "where?", "answers": ["y"]})"
                                          "\n"
                                          R"({"id": "q1", "question": "when?", "answers": ["z"]})"
                                          "\n");
  CHECK_THAT(error_message([&] { score_predictions_file(dir / "by_id.jsonl", dir / "gold_repeated.jsonl"); }),
             Catch::Contains("gold_repeated.jsonl: question 3 repeats id 'q1' of question 1"));
  write_text(dir / "bad.jsonl", R"({"id": "q1", "prediction": 3})"
                                "\n");
  CHECK(error_message([&] {
          score_predictions_file(dir / "bad.jsonl", dir / "gold.jsonl");
        }).find("bad.jsonl:1: \"prediction\" must be a string") != std::string::npos);
}

TEST_CASE("pretraining config: source_words and source_only_steps need the source among the context passages",
          "[train][pretrain]") {
  PretrainConfig config;
  config.data.corpus = "passages.jsonl";
  CHECK(config.check().empty());
  config.reader.source_words = 32;
  config.reader.source_only_steps = 10;
  CHECK(config.check().empty());
  for (const bool without_source : {true, false}) {
    auto broken = config;
    if (without_source)
      broken.reader.include_source = false;
    else
      broken.reader.context_passages = 0;
    const auto problems = broken.check();
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].key == "reader.source_words");
    CHECK(problems[1].key == "reader.source_only_steps");
  }
}

namespace {

/// A fake checkpoint whose models are one file each, named for where they came from.
std::filesystem::path fake_checkpoint(const std::filesystem::path& dir, const std::string& name) {
  for (const char* folder : {"reader", "retriever", "state"}) std::filesystem::create_directories(dir / name / folder);
  write_text(dir / name / "reader" / "model.safetensors", "reader of " + name);
  write_text(dir / name / "retriever" / "model.safetensors", "retriever of " + name);
  write_text(dir / name / "state" / "state.json", "{}");
  return dir / name;
}

nlohmann::json test_record(const char* key, std::int64_t point, std::int64_t client, double em, double n) {
  return {{"split", "test"}, {"client", client}, {key, point}, {"em", em}, {"f1", em}, {"n", n}};
}

}  // namespace

TEST_CASE("best model: best/ follows the reported point (client average, micro for centralized, ties earlier)",
          "[train]") {
  TempDir dir;
  const BestModel best(dir / "run", TrainMode::collaborative);
  std::vector<nlohmann::json> records;
  const auto round = [&](std::int64_t r, double em1, double em2) {
    records.push_back(test_record("round", r, 1, em1, 10));
    records.push_back(test_record("round", r, 2, em2, 30));
    const auto checkpoint = fake_checkpoint(dir / "checkpoints", "ckpt-00000" + std::to_string(r));
    best.offer(records, checkpoint, {{"round", r}, {"metrics_lines", records.size()}});
  };
  const auto holds = [&](const std::string& name) {
    return read_text(best.dir() / "reader" / "model.safetensors") == "reader of " + name &&
           read_text(best.dir() / "retriever" / "model.safetensors") == "retriever of " + name;
  };
  round(1, 10, 20);  // average 15
  CHECK(holds("ckpt-000001"));
  round(2, 40, 0);  // 20: better
  CHECK(holds("ckpt-000002"));
  CHECK_FALSE(std::filesystem::exists(best.dir() / "state"));  // models only
  round(3, 0, 20);                                             // 10: worse, best/ stays
  round(4, 20, 20);                                            // 20: a tie goes to the earlier round
  CHECK(holds("ckpt-000002"));
  const auto description = nlohmann::json::parse(read_text(best.dir() / "best.json"));
  CHECK(description["round"] == 2);
  CHECK(description["em"] == Approx(20.0));
  CHECK(description["checkpoint"] == "ckpt-000002");
  // The models outlive their checkpoint's pruning.
  std::filesystem::remove_all(dir / "checkpoints");
  CHECK(holds("ckpt-000002"));
  best.finish(summarize_run(TrainMode::collaborative, records));  // agrees with best.json
  CHECK_THAT(error_message([&] {
               auto other = summarize_run(TrainMode::collaborative, records);
               other["best"]["round"] = 3;
               best.finish(other);
             }),
             Catch::Contains("does not name the round the run reports"));

  // Centralized reports the micro average: client 2 has 3x the questions.
  TempDir central;
  const BestModel central_best(central / "run", TrainMode::centralized);
  records = {test_record("step", 5, 1, 90, 10), test_record("step", 5, 2, 0, 30)};  // 22.5 micro, 45 client
  central_best.offer(records, fake_checkpoint(central / "c", "ckpt-000001"), {{"step", 5}});
  records.push_back(test_record("step", 10, 1, 0, 10));
  records.push_back(test_record("step", 10, 2, 40, 30));  // 30 micro, 20 client
  central_best.offer(records, fake_checkpoint(central / "c", "ckpt-000002"), {{"step", 10}});
  CHECK(read_text(central_best.dir() / "reader" / "model.safetensors") == "reader of ckpt-000002");
}

TEST_CASE("best model: a local run keeps every client's models at the step of the best client average", "[train]") {
  TempDir dir;
  const BestModel best(dir / "run", TrainMode::local);
  std::vector<nlohmann::json> records;
  int sequence = 0;
  // Client 1 peaks at step 10, client 2 at step 20; the average peaks at step 20 (25 vs 20).
  for (const auto& [client, step, em] :
       std::vector<std::tuple<int, int, double>>{{1, 10, 30}, {1, 20, 20}, {2, 10, 10}, {2, 20, 30}}) {
    records.push_back(test_record("step", step, client, em, 10));
    const auto checkpoint = fake_checkpoint(dir / "checkpoints", "ckpt-00000" + std::to_string(++sequence));
    best.offer(records, checkpoint, {{"client", client}, {"step", step}});
    best.offer(records, checkpoint, {{"client", client}, {"step", step}});  // a resume offers it again
  }
  CHECK_FALSE(std::filesystem::exists(best.dir()));  // not known before the run ends
  std::filesystem::remove_all(dir / "checkpoints");
  const auto summary = summarize_run(TrainMode::local, records);
  REQUIRE(summary["best"]["step"] == 20);
  best.finish(summary);
  CHECK(read_text(best.dir() / "client_1" / "reader" / "model.safetensors") == "reader of ckpt-000002");
  CHECK(read_text(best.dir() / "client_2" / "retriever" / "model.safetensors") == "retriever of ckpt-000004");
  CHECK_FALSE(std::filesystem::exists(dir / "run" / "best-candidates"));
  const auto description = nlohmann::json::parse(read_text(best.dir() / "best.json"));
  CHECK(description["step"] == 20);
  CHECK(description["clients"] == nlohmann::json::array({"client_1", "client_2"}));
  // --resume of the finished run offers its last checkpoint again: best/ stays, the candidate goes.
  best.offer(records, fake_checkpoint(dir / "checkpoints", "ckpt-000004"), {{"client", 2}, {"step", 20}});
  best.finish(summary);
  CHECK_FALSE(std::filesystem::exists(dir / "run" / "best-candidates"));
  CHECK(read_text(best.dir() / "client_1" / "reader" / "model.safetensors") == "reader of ckpt-000002");
}

TEST_CASE("run state: state.json's fields typed, written and read back, and a mistyped field names file and key",
          "[train]") {
  corag::RunState state;
  state.sequence = 3;
  state.config_hash = "0123456789abcdef";
  state.mode = corag::TrainMode::collaborative;
  state.round = 2;
  state.metrics_lines = 8;
  state.scalars_lines = 5;
  state.elapsed_s = 1.5;
  const auto json = state.to_json();
  CHECK(json.at("round") == 2);
  CHECK_FALSE(json.contains("step"));  // the eval point of its mode only
  CHECK(json.at("mode") == "collaborative");
  const auto read = corag::RunState::from_json(json, "state.json");
  CHECK(read.to_json() == json);
  CHECK(read.point() == nlohmann::json{{"round", 2}});

  state.mode = corag::TrainMode::local;
  state.client = 4;
  state.step = 10;
  CHECK(state.point() == nlohmann::json{{"client", 4}, {"step", 10}});
  CHECK(corag::RunState::from_json(state.to_json(), "state.json").point() == state.point());
  CHECK_FALSE(state.to_json().contains("other_clients"));  // a one-process run's state.json
  CHECK(state.client_folder("ckpt", 4) == std::filesystem::path("ckpt"));
  CHECK(state.client_folder("ckpt", 6) == std::filesystem::path("ckpt") / "clients" / "client_6");
  // Local training over ranks: the other clients in training, with the lines they hold back.
  state.other_clients.push_back({6, 10, {{{"client", 6}, {"step", 10}, {"em", 12.5}}}, {"client6,,10,1.5"}});
  auto with_others = state.to_json();
  const auto others = corag::RunState::from_json(with_others, "state.json").other_clients;
  REQUIRE(others.size() == 1);
  CHECK(others[0].client == 6);
  CHECK(others[0].step == 10);
  CHECK(others[0].records == state.other_clients[0].records);
  CHECK(others[0].scalars == state.other_clients[0].scalars);
  with_others["other_clients"][0]["scalars"] = {1.5};
  CHECK_THAT(error_message([&] { corag::RunState::from_json(with_others, "ckpt/state.json"); }),
             Catch::Contains("ckpt/state.json: other_clients[0]: 'scalars' must hold strings"));
  with_others["other_clients"][0].erase("step");
  CHECK_THAT(error_message([&] { corag::RunState::from_json(with_others, "ckpt/state.json"); }),
             Catch::Contains("ckpt/state.json: other_clients[0]: 'step' must be an integer, got nothing"));

  auto bad = json;
  bad["mode"] = "federated";
  CHECK_THAT(error_message([&] { corag::RunState::from_json(bad, "ckpt/state.json"); }),
             Catch::Contains("ckpt/state.json: mode: must be one of local, centralized, collaborative"));
  bad = json;
  bad["metrics_lines"] = "8";
  CHECK_THAT(error_message([&] { corag::RunState::from_json(bad, "ckpt/state.json"); }),
             Catch::Contains("ckpt/state.json: 'metrics_lines' must be an integer, got \"8\""));
  bad = json;
  bad.erase("config_hash");
  CHECK_THAT(error_message([&] { corag::RunState::from_json(bad, "ckpt/state.json"); }),
             Catch::Contains("'config_hash' must be a string"));
  CHECK_THAT(error_message([&] { corag::RunState::from_json(nlohmann::json::array(), "ckpt/state.json"); }),
             Catch::Contains("ckpt/state.json: expected a JSON object"));
}
