#include <iostream>
#include <memory>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "corag/config/config_reader.hpp"
#include "corag/demo/synthetic_world.hpp"

namespace corag::cli {

void add_synth_command(CLI::App& app) {
  struct Options {
    std::string config, out;
    std::vector<std::string> overrides;
  };
  auto options = std::make_shared<Options>();
  auto* command = app.add_subcommand("synth", "generate the synthetic knowledge world: passages.jsonl and qa.jsonl");
  command->add_option("-c,--config", options->config, "YAML (configs/demo-world.yaml; omit for the defaults)")
      ->check(CLI::ExistingFile);
  command->add_option("--set", options->overrides, "override: world.key=value (repeatable)");
  command->add_option("--out", options->out, "world directory")->required();
  command->callback([options] {
    const auto config = load_config<SynthConfig>(options->config, options->overrides);
    const auto summary = generate_synthetic_world(config.world, options->out);
    std::cout << summary.dump(2) << "\n";
  });
}

}  // namespace corag::cli
