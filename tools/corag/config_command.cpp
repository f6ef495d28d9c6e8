#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "corag/config/config_reader.hpp"
#include "corag/config/config_writer.hpp"
#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"

namespace corag::cli {

void add_config_command(CLI::App& app) {
  struct Options {
    std::string config;
    std::vector<std::string> overrides;
    std::string out;
  };
  auto options = std::make_shared<Options>();
  auto* command =
      app.add_subcommand("config", "validate an experiment config, apply the runtime it asks for, print it resolved");
  command->add_option("-c,--config", options->config, "YAML experiment config (omit for the defaults)")
      ->check(CLI::ExistingFile);
  command->add_option("--set", options->overrides, "override: section.key=value (repeatable)");
  command->add_option("--out", options->out, "run directory to write config.resolved.yaml into");
  command->callback([options] {
    const auto config = load_config<ExperimentConfig>(options->config, options->overrides);
    const Runtime runtime = apply_runtime(config.runtime);
    spdlog::info("runtime: {} / {} / {} threads / seed {}", runtime.device.str(), c10::toString(runtime.compute_dtype),
                 runtime.threads, runtime.seed);
    const std::string yaml = config_to_yaml(config);
    if (!options->out.empty()) {
      spdlog::info("wrote {}", write_resolved_config_text(yaml, options->out).string());
    }
    std::cout << yaml;
  });
}

}  // namespace corag::cli
