#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corag/train/demo_pipeline.hpp"

namespace corag::cli {

void add_demo_command(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  options->out = "runs/demo";
  auto* command = app.add_subcommand(
      "demo", "the whole pipeline on a synthetic world: synth, pretrain, index, CRAB stores, 14 training runs, paper tables 1 and 3");
  command->add_option("--out", options->out, "output directory (a finished stage there is reused)")->capture_default_str();
  command->add_option("--seed", options->seed, "seed of the world, pretraining, splits and runs")->capture_default_str();
  command->add_flag("--quick", options->quick, "toy sizes and a few steps per stage (the test suite's end-to-end run)");
  command->callback([options] { std::cout << run_demo(*options); });
}

}  // namespace corag::cli
