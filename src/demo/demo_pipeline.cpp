#include "corag/demo/demo_pipeline.hpp"

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
#include "corag/demo/demo_configs.hpp"
#include "corag/demo/synth_config.hpp"
#include "corag/demo/synthetic_world.hpp"
#include "corag/models/retriever.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/train/pretraining.hpp"
#include "corag/train/run_summary.hpp"
#include "corag/train/sweep_plan.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/child_process.hpp"
#include "corag/util/error.hpp"
#include "corag/util/fnv1a.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace {

namespace fs = std::filesystem;
using Overrides = std::vector<std::string>;

const std::vector<std::string> kRegimes = {"closed-book", "local", "centralized", "collaborative"};

/// Each stage's config file: configs/demo-*.yaml, or demo-quick-*.yaml.
struct DemoConfigFiles {
  fs::path world, pretrain, crab, train;
};

DemoConfigFiles demo_config_files(const fs::path& config_dir, bool quick) {
  const std::string prefix = quick ? "demo-quick-" : "demo-";
  return {config_dir / (prefix + "world.yaml"), config_dir / (prefix + "pretrain.yaml"),
          config_dir / (prefix + "crab.yaml"), config_dir / (prefix + "train.yaml")};
}

/// The shape of the demo's runs, read from its CRAB and training configs.
struct DemoPlan {
  std::string few_shots, many_shots;  ///< the two shot levels of table 3; table 1 uses many_shots
  std::int64_t clients = 0;
  std::int64_t batch_size = 0;
  std::int64_t epochs = 0;  ///< passes over each client's questions in every regime: rounds x local epochs
};

DemoPlan demo_plan(const DemoConfigFiles& files, const CrabConfig& crab, const ExperimentConfig& train) {
  CORAG_CHECK(crab.splits.shots.size() == 2, files.crab.string(),
              ": the demo needs two shot levels in splits.shots (table 3's columns), got ", crab.splits.shots.size());
  CORAG_CHECK(train.data.clients == crab.splits.clients, files.train.string(), ": data.clients ", train.data.clients,
              " differs from splits.clients ", crab.splits.clients, " of ", files.crab.string());
  DemoPlan plan;
  plan.few_shots = crab.splits.shots.front();
  plan.many_shots = crab.splits.shots.back();
  plan.clients = crab.splits.clients;
  plan.batch_size = train.train.batch_size;
  plan.epochs = train.federated.rounds * train.federated.local_epochs;
  return plan;
}

/// Where the built-in configs are written to be read (a config's `extends` names a file beside
/// it); they become OUT/configs/source/ once the demo in OUT is known to be this one.
fs::path built_in_config_scratch(const fs::path& out) { return out / "configs" / ".source.tmp"; }

/// The folder the demo reads its configs from: `options.configs`, or a fresh copy of the
/// configs/demo*.yaml built into corag.
fs::path demo_config_dir(const DemoOptions& options) {
  if (!options.configs.empty()) return options.configs;
  const auto dir = built_in_config_scratch(options.out);
  fs::remove_all(dir);
  fs::create_directories(dir);
  for (const auto& [name, text] : built_in_demo_configs()) write_file_atomically(dir / name, text);
  return dir;
}

/// Every demo*.yaml of `config_dir`, names and texts in name order: what the demo's stages follow from.
std::string demo_config_texts(const fs::path& config_dir) {
  std::map<std::string, fs::path> files;
  for (const auto& entry : fs::directory_iterator(config_dir)) {
    const auto name = entry.path().filename().string();
    if (name.rfind("demo", 0) == 0 && entry.path().extension() == ".yaml") files.emplace(name, entry.path());
  }
  std::string texts;
  for (const auto& [name, path] : files) texts += name + "\n" + read_file(path) + "\n";
  return texts;
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

/// The demo's sweep settings: table 3's regimes at two shot levels and table 1's store variants,
/// local and centralized trained for as many epochs as collaborative, closed-book centralized.
SweepSettings demo_sweep_settings(const DemoPlan& plan, const CrabConfig& crab, const fs::path& train_config,
                                  const fs::path& crab_config) {
  SweepSettings settings;
  settings.config = train_config.string();
  settings.crab = crab_config.string();
  settings.shots = {plan.few_shots, plan.many_shots};
  settings.closed_book_modes = {"centralized"};
  settings.schedule = SweepSchedule::equal_epochs;
  // The demo's CRAB build has no dev split; table 4's sweep builds one as large as the test split.
  settings.dev_size = crab.splits.test_size;
  return settings;
}

/// Table 3's runs (regimes x shots on REL), then table 1's other variants at the higher shot level.
std::vector<SweepCell> demo_runs(const SweepSettings& settings, const ExperimentConfig& train) {
  std::vector<SweepCell> runs;
  for (const auto experiment : {SweepExperiment::shots, SweepExperiment::store_variants}) {
    for (auto& cell : plan_sweep(settings, train, settings.shots, experiment, {}).cells) {
      const bool seen =
          std::any_of(runs.begin(), runs.end(), [&](const SweepCell& run) { return run.name == cell.name; });
      if (!seen) runs.push_back(std::move(cell));
    }
  }
  return runs;
}

/// `{variant}-{shots}shot-{regime}`, as the sweep names the demo's runs.
std::string run_name(const std::string& regime, const std::string& variant, const std::string& shots) {
  return variant + "-" + shots + "shot-" + regime;
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
void train_runs_in_children(const DemoOptions& options, const std::vector<SweepCell>& runs, StageLog& stages,
                            std::map<std::string, nlohmann::json>& summaries) {
  const auto& out = options.out;
  fs::create_directories(out / "logs");
  std::vector<ChildRun> running;
  std::size_t next = 0;
  while (next < runs.size() || !running.empty()) {
    while (next < runs.size() && running.size() < static_cast<std::size_t>(options.jobs)) {
      const auto index = next++;
      const auto& name = runs[index].name;
      const auto run_dir = out / "runs" / name;
      const auto stage = "corag train " + name + " -> " + run_dir.string();
      const auto started = stages.begin(stage);
      if (fs::exists(run_dir / "summary.json")) {
        summaries[name] = read_json_file(run_dir / "summary.json");
        stages.finish(started, true);
        continue;
      }
      const auto config_file = out / "configs" / "runs" / (name + ".yaml");
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
    const auto name = run_name(regime, variant, shots);
    const auto found = summaries.find(name);
    CORAG_CHECK(found != summaries.end(), "the demo tables need the summary of run ", name);
    return table_cell(found->second, name);
  };
  std::ostringstream out;
  out << "## Table 1 (demo world): test EM by train store variant, " << many_shots << " shots per client\n\n"
      << "Client-averaged EM in percent at the best eval point (the paper's rule): local the best step of the "
         "client average, collaborative the best FedAvg round.\n\n"
      << "| store | Local | Collaborative | sources |\n| --- | ---: | ---: | --- |\n";
  for (const auto& variant : paper_store_variants()) {
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
  const auto curve_run = run_name("collaborative", "REL", many_shots);
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

namespace {

/// Where each stage writes, under the demo's output folder.
struct DemoPaths {
  explicit DemoPaths(const fs::path& out)
      : out(out), world(out / "world"), models(out / "models"), embeddings(out / "embeddings"), crab(out / "crab") {}
  fs::path out, world, models, embeddings, crab;
};

/// Every stage's config, resolved (and so checked) before any work starts.
struct DemoConfigs {
  fs::path dir;  ///< the folder the config files were read from
  SynthConfig synth;
  PretrainConfig pretrain;
  CrabConfig crab;
  DemoPlan plan;
  ExperimentConfig train;  ///< every run's base: the training config with the demo's paths and seed
  SweepSettings sweep;     ///< the demo as a sweep config (OUT/configs/sweep.yaml), for scripts/sweeps/
  std::vector<SweepCell> runs;
  std::vector<ExperimentConfig> run_configs;  ///< one per run
};

DemoConfigs resolve_demo_configs(const DemoOptions& options, const DemoPaths& paths) {
  DemoConfigs configs;
  configs.dir = demo_config_dir(options);
  const auto files = demo_config_files(configs.dir, options.quick);
  const auto seed = std::to_string(options.seed);
  const auto passages = (paths.world / "passages.jsonl").string();
  const auto train_pool = (paths.world / "qa.train_pool.jsonl").string();
  configs.synth = load_config<SynthConfig>(files.world, {"world.seed=" + seed});
  configs.pretrain = load_config<PretrainConfig>(files.pretrain, {"runtime.seed=" + seed, "data.corpus=" + passages,
                                                                  "data.tokenizer_questions=[" + train_pool + "]"});
  configs.crab = load_config<CrabConfig>(
      files.crab, {"build.seed=" + seed, "data.train_pool=[" + train_pool + "]",
                   "data.test_pool=" + (paths.world / "qa.test_pool.jsonl").string(), "data.corpus=" + passages,
                   "stores.embeddings=" + paths.embeddings.string()});
  const Overrides run_settings = {"runtime.seed=" + seed, "model.reader=" + (paths.models / "reader").string(),
                                  "model.retriever=" + (paths.models / "retriever").string(),
                                  "data.crab_dir=" + paths.crab.string(),
                                  "store.embeddings=" + paths.embeddings.string()};
  configs.train = load_config<ExperimentConfig>(files.train, run_settings);
  configs.plan = demo_plan(files, configs.crab, configs.train);
  configs.sweep = demo_sweep_settings(configs.plan, configs.crab, paths.out / "configs" / "train.yaml",
                                      paths.out / "configs" / "crab.yaml");
  configs.runs = demo_runs(configs.sweep, configs.train);
  for (const auto& run : configs.runs) {
    configs.run_configs.push_back(load_config<ExperimentConfig>(files.train, joined(run_settings, run.overrides)));
  }
  return configs;
}

/// Takes `out` for this demo: refuses one holding another demo's stages (they follow from the
/// seed and the config files), then records the configs it runs with.
void claim_output(const DemoOptions& options, const DemoConfigs& configs) {
  const auto& out = options.out;
  const auto settings =
      nlohmann::json{
          {"seed", options.seed}, {"quick", options.quick}, {"configs", fnv1a_hex(demo_config_texts(configs.dir))}}
          .dump();
  const auto settings_file = out / "demo.settings";
  if (fs::exists(settings_file)) {
    const auto existing = read_file(settings_file);
    if (existing != settings) {
      if (options.configs.empty()) fs::remove_all(built_in_config_scratch(out));
      throw_error(out.string(), " holds a demo run with other settings (", existing, "; now ", settings,
                  "); choose another --out");
    }
  } else {
    fs::create_directories(out);
    write_file_atomically(settings_file, settings);
  }
  if (options.configs.empty()) {
    remove_directory_atomically(out / "configs" / "source");
    fs::rename(built_in_config_scratch(out), out / "configs" / "source");
  }
  write_file_atomically(out / "configs" / "synth.yaml", config_to_yaml(configs.synth));
  write_file_atomically(out / "configs" / "pretrain.yaml", config_to_yaml(configs.pretrain));
  write_file_atomically(out / "configs" / "crab.yaml", config_to_yaml(configs.crab));
  write_file_atomically(out / "configs" / "train.yaml", config_to_yaml(configs.train));
  write_file_atomically(out / "configs" / "sweep.yaml", config_to_yaml(SweepConfig{configs.sweep}));
  fs::create_directories(out / "configs" / "runs");
  for (std::size_t index = 0; index < configs.runs.size(); ++index) {
    write_file_atomically(out / "configs" / "runs" / (configs.runs[index].name + ".yaml"),
                          config_to_yaml(configs.run_configs[index]));
  }
}

/// The stages before training: world, pretraining, corpus embeddings and CRAB stores, each
/// reused when its output is complete.
void prepare_inputs(const DemoConfigs& configs, const DemoPaths& paths, StageLog& stages) {
  stages.run("synthetic world -> " + paths.world.string(), [&] {
    if (fs::exists(paths.world / "world.json")) return true;
    generate_synthetic_world(configs.synth.world, paths.world);
    return false;
  });
  stages.run("pretraining tokenizers, retriever and reader -> " + paths.models.string(), [&] {
    const bool reused = fs::exists(paths.models / "pretrain.json");
    run_pretraining(configs.pretrain, config_to_yaml(configs.pretrain), paths.models);
    return reused;
  });
  stages.run("embedding the corpus -> " + paths.embeddings.string(), [&] {
    if (fs::exists(paths.embeddings / "meta.json")) return true;
    const Runtime runtime = apply_runtime(configs.pretrain.runtime);
    auto retriever = Retriever::load(paths.models / "retriever", runtime.device);
    DenseStore::build(retriever, paths.world / "passages.jsonl", paths.embeddings, StoreBuildOptions{});
    return false;
  });
  std::string built;
  for (const auto& variant : paper_store_variants()) built += (built.empty() ? "" : ", ") + variant;
  stages.run("CRAB stores " + built + " -> " + paths.crab.string(), [&] {
    if (fs::exists(CrabLayout(paths.crab).manifest())) return true;
    build_crab(configs.crab, config_to_yaml(configs.crab), paths.crab, paper_store_variants());
    return false;
  });
}

}  // namespace

std::string run_demo(const DemoOptions& options) {
  CORAG_CHECK(!options.out.empty(), "corag demo needs an output directory");
  CORAG_CHECK(!options.trainer.empty(), "corag demo needs the corag executable that trains its runs");
  CORAG_CHECK(options.jobs >= 1, "corag demo: --jobs must be at least 1, got ", options.jobs);
  const DemoPaths paths(options.out);
  const auto configs = resolve_demo_configs(options, paths);
  claim_output(options, configs);

  const auto demo_start = StageLog::Clock::now();
  StageLog stages(4 + (options.inputs_only ? 0 : configs.runs.size()));
  prepare_inputs(configs, paths, stages);
  if (options.inputs_only) {
    return "The demo world, models, embeddings and CRAB stores are in " + paths.out.string() +
           "; the sweep config of its runs: " + (paths.out / "configs" / "sweep.yaml").string() + "\n";
  }
  std::map<std::string, nlohmann::json> summaries;
  train_runs_in_children(options, configs.runs, stages, summaries);
  const auto tables = render_demo_tables(summaries, configs.plan.few_shots, configs.plan.many_shots);
  write_file_atomically(paths.out / "tables.md", tables);
  write_file_atomically(
      paths.out / "demo.json",
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
