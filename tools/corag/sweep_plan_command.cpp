#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "corag/config/config_reader.hpp"
#include "corag/train/sweep_plan.hpp"
#include "enum_option.hpp"

namespace corag::cli {

void add_sweep_plan_command(CLI::App& app) {
  struct Options {
    std::string config, out;
    std::vector<std::string> overrides;
    SweepExperiment experiment = SweepExperiment::store_variants;
  };
  auto options = std::make_shared<Options>();
  auto* command = app.add_subcommand(
      "sweep-plan",
      "the cells of one of the paper's experiments, as scripts/sweeps/ runs them: tab-separated lines `config "
      "FILE` (every cell's experiment config), `stores DIR ARGS...` (crab-build-stores arguments to run first, "
      "if any, building DIR) and `cell NAME SET...` (the --set overrides of one corag train run)");
  command->add_option("--config", options->config, "sweep config (configs/sweeps/paper.yaml, DEMO/configs/sweep.yaml)")
      ->required();
  add_enum_option(*command, "--experiment", options->experiment,
                  "store_variants (tables 1, 6, figure 2), store_composition (tables 2, 5), shots (table 3, figure 1) "
                  "or dev (table 4)")
      ->required();
  command->add_option("--out", options->out, "the sweep's folder (where store_composition builds its stores)")
      ->required();
  command->add_option("--set", options->overrides, "override a sweep config value: section.key=value (repeatable)");
  command->callback([options] {
    const auto config = load_config<SweepConfig>(options->config, options->overrides);
    const auto plan = plan_sweep(config, options->experiment, std::filesystem::absolute(options->out));
    std::cout << "config\t" << config.sweep.config << "\n";
    if (!plan.build_stores.empty()) {
      std::cout << "stores\t" << plan.stores_dir.string();
      for (const auto& argument : plan.build_stores) std::cout << "\t" << argument;
      std::cout << "\n";
    }
    for (const auto& cell : plan.cells) {
      std::cout << "cell\t" << cell.name;
      for (const auto& override_value : cell.overrides) std::cout << "\t" << override_value;
      std::cout << "\n";
    }
  });
}

}  // namespace corag::cli
