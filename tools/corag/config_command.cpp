#include <iostream>
#include <memory>
#include <set>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "corag/config/config_reader.hpp"
#include "corag/config/config_writer.hpp"
#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"
#include "corag/crab/crab_config.hpp"
#include "corag/demo/synth_config.hpp"
#include "corag/train/pretrain_config.hpp"
#include "corag/train/sweep_plan.hpp"
#include "enum_option.hpp"

namespace corag {

/// Which tool a config file is for.
enum class ConfigKind { automatic, experiment, crab, pretrain, synth, sweep };

inline const EnumNames<ConfigKind>& enum_names(ConfigKind) {
  static const EnumNames<ConfigKind> names = {{ConfigKind::automatic, "auto"}, {ConfigKind::experiment, "experiment"},
                                              {ConfigKind::crab, "crab"},      {ConfigKind::pretrain, "pretrain"},
                                              {ConfigKind::synth, "synth"},    {ConfigKind::sweep, "sweep"}};
  return names;
}

namespace cli {
namespace {

/// The kind of config a document is, told by the sections only one kind has (an experiment
/// config when none is there: data and runtime are shared).
ConfigKind detect_kind(const ConfigDocument& document) {
  const std::vector<std::pair<ConfigKind, std::set<std::string>>> distinctive = {
      {ConfigKind::experiment, {"model", "store", "train", "federated", "eval"}},
      {ConfigKind::crab, {"splits", "bm25", "stores", "build"}},
      {ConfigKind::pretrain, {"tokenizers", "retriever", "reader"}},
      {ConfigKind::synth, {"world"}},
      {ConfigKind::sweep, {"sweep"}}};
  std::vector<ConfigKind> kinds;
  for (const auto& section : document.root) {
    for (const auto& [kind, names] : distinctive) {
      if (names.count(section.first.Scalar()) > 0 && std::find(kinds.begin(), kinds.end(), kind) == kinds.end()) {
        kinds.push_back(kind);
      }
    }
  }
  if (kinds.empty()) return ConfigKind::experiment;
  CORAG_CHECK(kinds.size() == 1, document.file.empty() ? "the config" : document.file, ": has sections of a ",
              to_string(kinds[0]), " and of a ", to_string(kinds[1]), " config; say which with --kind");
  return kinds.front();
}

/// Reads, checks and prints the config resolved; applies its runtime when it has one.
template <typename Config>
std::string resolve(const ConfigDocument& document) {
  const auto config = read_config<Config>(document);
  if constexpr (std::is_same_v<Config, ExperimentConfig> || std::is_same_v<Config, PretrainConfig>) {
    const Runtime runtime = apply_runtime(config.runtime);
    spdlog::info("runtime: {} / {} / {} threads / seed {}", runtime.device.str(), c10::toString(runtime.compute_dtype),
                 runtime.threads, runtime.seed);
  }
  return config_to_yaml(config);
}

}  // namespace

void add_config_command(CLI::App& app) {
  struct Options {
    std::string config;
    std::vector<std::string> overrides;
    std::string out;
    ConfigKind kind = ConfigKind::automatic;
  };
  auto options = std::make_shared<Options>();
  auto* command = app.add_subcommand(
      "config",
      "validate a config (experiment, crab, pretrain, synth or sweep), apply the runtime it asks for, print it "
      "resolved");
  command->add_option("-c,--config", options->config, "YAML config (omit for an experiment config's defaults)")
      ->check(CLI::ExistingFile);
  command->add_option("--set", options->overrides, "override: section.key=value (repeatable)");
  add_enum_option(*command, "--kind", options->kind,
                  "which tool the config is for; auto tells it from the sections (experiment when unsure)");
  command->add_option("--out", options->out, "run directory to write config.resolved.yaml into");
  command->callback([options] {
    const ConfigDocument document = load_config_document(options->config, options->overrides);
    const ConfigKind kind = options->kind == ConfigKind::automatic ? detect_kind(document) : options->kind;
    std::string yaml;
    switch (kind) {
      case ConfigKind::crab:
        yaml = resolve<CrabConfig>(document);
        break;
      case ConfigKind::pretrain:
        yaml = resolve<PretrainConfig>(document);
        break;
      case ConfigKind::synth:
        yaml = resolve<SynthConfig>(document);
        break;
      case ConfigKind::sweep:
        yaml = resolve<SweepConfig>(document);
        break;
      default:
        yaml = resolve<ExperimentConfig>(document);
    }
    spdlog::info("{} config", to_string(kind));
    if (!options->out.empty()) {
      spdlog::info("wrote {}", write_resolved_config_text(yaml, options->out).string());
    }
    std::cout << yaml;
  });
}

}  // namespace cli
}  // namespace corag
