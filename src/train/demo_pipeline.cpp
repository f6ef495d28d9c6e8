#include "corag/train/demo_pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "corag/config/config_reader.hpp"
#include "corag/config/config_writer.hpp"
#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"
#include "corag/config/store_variants.hpp"
#include "corag/crab/crab_builder.hpp"
#include "corag/crab/crab_layout.hpp"
#include "corag/crab/synth_config.hpp"
#include "corag/crab/synthetic_world.hpp"
#include "corag/models/retriever.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/train/pretraining.hpp"
#include "corag/train/run_summary.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/child_process.hpp"
#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace {

namespace fs = std::filesystem;
using Overrides = std::vector<std::string>;

const std::vector<std::string> kRegimes = {"closed-book", "local", "centralized", "collaborative"};
/// The rows of the paper's table 1: every store variant but PARTITION (an extension of corag's).
std::vector<std::string> table1_variants() {
  auto variants = store_variants();
  variants.erase(std::remove(variants.begin(), variants.end(), "PARTITION"), variants.end());
  return variants;
}

/// The embedded default: each stage's `--set` overrides over its config's defaults, sized for
/// a 2-core CPU (tiny models run fastest single-threaded).
struct DemoPlan {
  Overrides synth, pretrain, crab, train;
  std::string few_shots, many_shots;  ///< the two shot levels of table 3; table 1 uses many_shots
  std::int64_t clients = 4;
  std::int64_t batch_size = 16;
  std::int64_t epochs = 8;  ///< passes over each client's questions in every regime
  std::int64_t rounds = 2;  ///< FedAvg rounds, each of epochs / rounds local epochs
};

DemoPlan demo_plan(const DemoOptions& options) {
  const auto seed = std::to_string(options.seed);
  DemoPlan plan;
  plan.synth = {"world.seed=" + seed};
  // The retriever finds the asked-about passage only after many in-batch negatives (batch 128);
  // the reader learns to copy from context only with short sources (32 words) and thousands of
  // steps, and then reads one passage in the runs (README, "The demo", for what was measured).
  plan.pretrain = {"retriever.steps=400",
                   "retriever.batch_size=128",
                   "retriever.lr=3e-3",
                   "reader.d_model=64",
                   "reader.d_kv=16",
                   "reader.steps=6000",
                   "reader.lr=3e-3",
                   "reader.masking=salient",
                   "reader.noise_density=0.5",
                   "reader.query_words=16",
                   "reader.context_passages=1",
                   "reader.source_words=32",
                   "reader.relative_bias_init_std=2",
                   "runtime.threads=1",
                   "runtime.seed=" + seed};
  plan.crab = {"splits.clients=" + std::to_string(plan.clients),
               "splits.dev_size=0",
               "splits.test_size=320",
               "bm25.depth=50",
               "bm25.relevant_depth=5",
               "stores.test_fraction=0.025",
               "stores.rel1_client=" + std::to_string(plan.clients),
               "build.threads=1",
               "build.seed=" + seed};
  plan.train = {"model.n_context=1",
                "model.text_maxlength=128",
                "model.answer_maxlength=16",
                "data.clients=" + std::to_string(plan.clients),
                "store.index=Flat",
                "train.warmup_steps=0",
                "train.lr=3e-3",
                "train.retriever_lr=5e-5",
                "train.temperature_gold=0.1",
                "train.temperature_score=0.1",
                "eval.max_new_tokens=12",
                "eval.batch_size=20",
                "eval.max_questions=40",
                "runtime.threads=1",
                "runtime.seed=" + seed};
  plan.few_shots = "16";
  plan.many_shots = "64";
  if (options.quick) {
    plan.synth.insert(plan.synth.end(),
                      {"world.people=100", "world.places=16", "world.organisations=16", "world.works=20",
                       "world.festivals=4", "world.noise_passages=100", "world.questions=400"});
    plan.pretrain.insert(plan.pretrain.end(),
                         {"tokenizers.spiece_vocab_size=1000", "retriever.steps=30", "reader.steps=30"});
    plan.crab.insert(plan.crab.end(), {"splits.test_size=12"});
    plan.train.insert(plan.train.end(), {"eval.max_questions=6"});
    plan.few_shots = "4";
    plan.many_shots = "8";
    plan.batch_size = 4;
    plan.epochs = 1;
    plan.rounds = 1;
  }
  plan.crab.push_back("splits.shots=[" + plan.few_shots + ", " + plan.many_shots + "]");
  plan.train.push_back("train.batch_size=" + std::to_string(plan.batch_size));
  return plan;
}

/// Logs each stage as it starts and records how long it took and whether it was reused, in the
/// order the stages started (runs trained in parallel finish in any order).
class StageLog {
 public:
  using Clock = std::chrono::steady_clock;
  struct Started {
    std::size_t slot;
    Clock::time_point time;
  };

  explicit StageLog(std::size_t stages) : stages_(stages) {}

  template <typename Stage>
  void run(const std::string& name, Stage&& stage) {
    const auto started = begin(name);
    finish(started, stage());
  }
  Started begin(const std::string& name) {
    spdlog::info("demo [{}/{}] {}", log_.size() + 1, stages_, name);
    log_.push_back({{"stage", name}});
    return {log_.size() - 1, Clock::now()};
  }
  void finish(const Started& started, bool reused) {
    const double seconds = std::chrono::duration<double>(Clock::now() - started.time).count();
    auto& entry = log_.at(started.slot);
    spdlog::info("demo [{}/{}] {}: {} in {:.1f} s", ++finished_, stages_, entry.at("stage").get<std::string>(),
                 reused ? "reused" : "done", seconds);
    entry["seconds"] = seconds;
    entry["reused"] = reused;
  }
  const nlohmann::json& json() const { return log_; }

 private:
  std::size_t stages_;
  std::size_t finished_ = 0;
  nlohmann::json log_ = nlohmann::json::array();
};

struct DemoRun {
  std::string regime, variant, shots;
  std::string name() const { return variant + "-" + shots + "shot-" + regime; }
};

/// Table 3 (regimes x shots on REL), then table 1's other variants at the higher shot level.
std::vector<DemoRun> demo_runs(const DemoPlan& plan) {
  std::vector<DemoRun> runs;
  for (const auto& shots : {plan.few_shots, plan.many_shots}) {
    for (const auto& regime : kRegimes) runs.push_back({regime, "REL", shots});
  }
  for (const auto& variant : table1_variants()) {
    if (variant == "REL") continue;
    for (const auto& regime : {"local", "collaborative"}) runs.push_back({regime, variant, plan.many_shots});
  }
  return runs;
}

/// Every regime makes `plan.epochs` passes over each client's questions.
Overrides regime_overrides(const DemoPlan& plan, const DemoRun& run) {
  Overrides out = {"data.shots=" + run.shots, "store.variant=" + run.variant};
  if (run.regime == "collaborative") {
    out.insert(out.end(), {"train.mode=collaborative", "federated.rounds=" + std::to_string(plan.rounds),
                           "federated.local_epochs=" + std::to_string(plan.epochs / plan.rounds)});
    return out;
  }
  // Local trains each client on its own questions; centralized (and closed-book) on all of them.
  const auto questions = std::stoll(run.shots) * (run.regime == "local" ? 1 : plan.clients);
  const auto steps = plan.epochs * ((questions + plan.batch_size - 1) / plan.batch_size);
  out.insert(out.end(), {"train.mode=" + std::string(run.regime == "local" ? "local" : "centralized"),
                         "train.steps=" + std::to_string(steps),
                         "train.eval_every=" + std::to_string(std::max<std::int64_t>(1, steps / 2))});
  if (run.regime == "closed-book") out.push_back("model.retrieval=false");
  return out;
}

Overrides joined(Overrides first, const Overrides& second) {
  first.insert(first.end(), second.begin(), second.end());
  return first;
}

/// A run being trained by a child `corag train`.
struct ChildRun {
  std::string name;
  StageLog::Started started;
  fs::path log;
  ChildProcess process;
};

/// Trains the runs that have no summary yet as child processes, `jobs` at a time, and reads
/// every run's summary. A failed child stops the launching of new ones; the ones still running
/// are stopped when the error leaves (each resumes on the next invocation).
void train_runs_in_children(const DemoOptions& options, const std::vector<DemoRun>& runs,
                            const std::vector<ExperimentConfig>& configs, StageLog& stages,
                            std::map<std::string, nlohmann::json>& summaries) {
  const auto& out = options.out;
  fs::create_directories(out / "configs" / "runs");
  fs::create_directories(out / "logs");
  std::vector<ChildRun> running;
  std::size_t next = 0;
  while (next < configs.size() || !running.empty()) {
    while (next < configs.size() && running.size() < static_cast<std::size_t>(options.jobs)) {
      const auto index = next++;
      const auto name = runs[index].name();
      const auto run_dir = out / "runs" / name;
      const auto stage = "corag train " + name + " -> " + run_dir.string();
      const auto started = stages.begin(stage);
      if (fs::exists(run_dir / "summary.json")) {
        summaries[name] = read_json_file(run_dir / "summary.json");
        stages.finish(started, true);
        continue;
      }
      const auto config_file = out / "configs" / "runs" / (name + ".yaml");
      write_file_atomically(config_file, config_to_yaml(configs[index]));
      std::vector<std::string> argv = {options.trainer.string(), "train", "--config",
                                       config_file.string(),     "--out", run_dir.string()};
      if (fs::exists(run_dir / "config.resolved.yaml")) argv.push_back("--resume");
      const auto log = out / "logs" / (name + ".log");
      running.push_back({name, started, log, ChildProcess(argv, log)});
    }
    bool any_finished = false;
    for (auto child = running.begin(); child != running.end();) {
      const auto status = child->process.poll();
      if (!status) {
        ++child;
        continue;
      }
      CORAG_CHECK(*status == 0, "demo run ", child->name, " failed (exit status ", *status,
                  "); its log: ", child->log.string());
      summaries[child->name] = read_json_file(out / "runs" / child->name / "summary.json");
      stages.finish(child->started, false);
      child = running.erase(child);
      any_finished = true;
    }
    if (!any_finished && !running.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

/// "12.50" and where it came from: the run directory and the point the paper's rule chose.
struct TableCell {
  double em = 0;
  std::string source;
};

TableCell table_cell(const nlohmann::json& summary, const std::string& run_name) {
  const auto& best = summary.at("best");
  std::string point;
  if (best.contains("round")) point = "round " + best.at("round").dump();
  if (best.contains("step")) point = "step " + best.at("step").dump();
  return {summary.at("average").at("em").get<double>(), "runs/" + run_name + " (" + point + ")"};
}

}  // namespace

std::string render_demo_tables(const std::map<std::string, nlohmann::json>& summaries, const std::string& few_shots,
                               const std::string& many_shots) {
  const auto cell = [&](const std::string& regime, const std::string& variant, const std::string& shots) {
    const auto name = DemoRun{regime, variant, shots}.name();
    const auto found = summaries.find(name);
    CORAG_CHECK(found != summaries.end(), "the demo tables need the summary of run ", name);
    return table_cell(found->second, name);
  };
  std::ostringstream out;
  out << "## Table 1 (demo world): test EM by train store variant, " << many_shots << " shots per client\n\n"
      << "Client-averaged EM in percent at the best eval point (the paper's rule): local the best step of the "
         "client average, collaborative the best FedAvg round.\n\n"
      << "| store | Local | Collaborative | sources |\n| --- | ---: | ---: | --- |\n";
  for (const auto& variant : table1_variants()) {
    const auto local = cell("local", variant, many_shots);
    const auto collaborative = cell("collaborative", variant, many_shots);
    out << "| " << variant << " | " << format_percent(local.em) << " | " << format_percent(collaborative.em) << " | "
        << local.source << "; " << collaborative.source << " |\n";
  }
  out << "\n## Table 3 (demo world): test EM by training regime on the REL store\n\n"
      << "Closed-book and centralized are micro-averaged over the test questions, local and collaborative "
         "client-averaged.\n\n"
      << "| regime | " << few_shots << " shots | " << many_shots << " shots | sources |\n| --- | ---: | ---: | --- |\n";
  for (const auto& regime : kRegimes) {
    const auto few = cell(regime, "REL", few_shots);
    const auto many = cell(regime, "REL", many_shots);
    out << "| " << regime << " | " << format_percent(few.em) << " | " << format_percent(many.em) << " | " << few.source
        << "; " << many.source << " |\n";
  }
  const auto curve_run = DemoRun{"collaborative", "REL", many_shots}.name();
  out << "\n## Collaborative RAG round by round (REL, " << many_shots << " shots)\n\n"
      << "Client-averaged test EM and answer recall@k (the % of test questions with a gold answer in one of "
         "the k passages the query encoder retrieves) after each FedAvg round: runs/"
      << curve_run << ".\n\n| round | answer recall@k | EM |\n| ---: | ---: | ---: |\n";
  for (const auto& point : summaries.at(curve_run).at("curve")) {
    out << "| " << point.at("round").get<std::int64_t>() << " | "
        << format_percent(point.at("answer_recall").get<double>()) << " | "
        << format_percent(point.at("em").get<double>()) << " |\n";
  }
  const auto collaborative = cell("collaborative", "REL", many_shots).em;
  out << "\nCollaborative RAG (REL, " << many_shots
      << " shots) minus closed-book: " << format_percent(collaborative - cell("closed-book", "REL", many_shots).em)
      << " EM points; minus local RAG: " << format_percent(collaborative - cell("local", "REL", many_shots).em)
      << ".\n";
  return out.str();
}

std::string run_demo(const DemoOptions& options) {
  CORAG_CHECK(!options.out.empty(), "corag demo needs an output directory");
  CORAG_CHECK(!options.trainer.empty(), "corag demo needs the corag executable that trains its runs");
  CORAG_CHECK(options.jobs >= 1, "corag demo: --jobs must be at least 1, got ", options.jobs);
  const auto& out = options.out;
  const auto world = out / "world";
  const auto models = out / "models";
  const auto embeddings = out / "embeddings";
  const auto crab = out / "crab";
  // Every stage's config is resolved (and checked) before any work starts.
  const auto plan = demo_plan(options);
  const auto synth_config = load_config<SynthConfig>("", plan.synth);
  const auto pretrain_config = load_config<PretrainConfig>(
      "", joined(plan.pretrain, {"data.corpus=" + (world / "passages.jsonl").string(),
                                 "data.tokenizer_questions=[" + (world / "qa.train_pool.jsonl").string() + "]"}));
  const auto crab_config = load_config<CrabConfig>(
      "", joined(plan.crab,
                 {"data.train_pool=[" + (world / "qa.train_pool.jsonl").string() + "]",
                  "data.test_pool=" + (world / "qa.test_pool.jsonl").string(),
                  "data.corpus=" + (world / "passages.jsonl").string(), "stores.embeddings=" + embeddings.string()}));
  const Overrides paths = {"model.reader=" + (models / "reader").string(),
                           "model.retriever=" + (models / "retriever").string(), "data.crab_dir=" + crab.string(),
                           "store.embeddings=" + embeddings.string()};
  const auto runs = demo_runs(plan);
  std::vector<ExperimentConfig> run_configs;
  for (const auto& run : runs) {
    run_configs.push_back(
        load_config<ExperimentConfig>("", joined(joined(plan.train, paths), regime_overrides(plan, run))));
  }

  // The plan is a function of the seed and --quick: another demo's stages must not be reused.
  const auto settings = nlohmann::json{{"seed", options.seed}, {"quick", options.quick}}.dump();
  const auto settings_file = out / "demo.settings";
  if (fs::exists(settings_file)) {
    const auto existing = read_file(settings_file);
    CORAG_CHECK(existing == settings, out.string(), " holds a demo run with other settings (", existing,
                "); choose another --out");
  } else {
    fs::create_directories(out);
    write_file_atomically(settings_file, settings);
  }
  fs::create_directories(out / "configs");
  write_file_atomically(out / "configs" / "synth.yaml", config_to_yaml(synth_config));
  write_file_atomically(out / "configs" / "pretrain.yaml", config_to_yaml(pretrain_config));
  write_file_atomically(out / "configs" / "crab.yaml", config_to_yaml(crab_config));

  const auto demo_start = StageLog::Clock::now();
  StageLog stages(4 + runs.size());
  stages.run("synthetic world -> " + world.string(), [&] {
    if (fs::exists(world / "world.json")) return true;
    generate_synthetic_world(synth_config.world, world);
    return false;
  });
  stages.run("pretraining tokenizers, retriever and reader -> " + models.string(), [&] {
    const bool reused = fs::exists(models / "pretrain.json");
    run_pretraining(pretrain_config, config_to_yaml(pretrain_config), models);
    return reused;
  });
  stages.run("embedding the corpus -> " + embeddings.string(), [&] {
    if (fs::exists(embeddings / "meta.json")) return true;
    const Runtime runtime = apply_runtime(pretrain_config.runtime);
    auto retriever = Retriever::load(models / "retriever", runtime.device);
    DenseStore::build(retriever, world / "passages.jsonl", embeddings, StoreBuildOptions{});
    return false;
  });
  std::string built;
  for (const auto& variant : table1_variants()) built += (built.empty() ? "" : ", ") + variant;
  stages.run("CRAB stores " + built + " -> " + crab.string(), [&] {
    if (fs::exists(CrabLayout(crab).manifest())) return true;
    build_crab(crab_config, config_to_yaml(crab_config), crab, table1_variants());
    return false;
  });
  std::map<std::string, nlohmann::json> summaries;
  train_runs_in_children(options, runs, run_configs, stages, summaries);
  const auto tables = render_demo_tables(summaries, plan.few_shots, plan.many_shots);
  write_file_atomically(out / "tables.md", tables);
  write_file_atomically(
      out / "demo.json",
      nlohmann::json{{"seed", options.seed},
                     {"quick", options.quick},
                     {"jobs", options.jobs},
                     {"seconds", std::chrono::duration<double>(StageLog::Clock::now() - demo_start).count()},
                     {"stages", stages.json()}}
              .dump(2) +
          "\n");
  return tables;
}

}  // namespace corag
