#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <thread>

#include "commands.hpp"
#include "corag/demo/demo_pipeline.hpp"
#include "corag/util/output_lock.hpp"

namespace corag::cli {

void add_demo_command(CLI::App& app) {
  auto options = std::make_shared<DemoOptions>();
  options->out = "runs/demo";
  auto* command = app.add_subcommand("demo",
                                     "the whole pipeline on a synthetic world: synth, pretrain, index, CRAB stores, 14 "
                                     "training runs, paper tables 1 and 3");
  command->add_option("--out", options->out, "output directory (a finished stage there is reused)")
      ->capture_default_str();
  command->add_option("--seed", options->seed, "seed of the world, pretraining, splits and runs")
      ->capture_default_str();
  command->add_flag("--quick", options->quick, "toy sizes and a few steps per stage (the test suite's end-to-end run)");
  command->add_flag("--inputs-only", options->inputs_only,
                    "stop before training: the world, models, embeddings, CRAB stores and OUT/configs/sweep.yaml "
                    "that scripts/sweeps/ runs its cells from");
  command
      ->add_option("--configs", options->configs,
                   "folder with the demo's config files, demo-{world,pretrain,crab,train}.yaml and their demo-quick-* "
                   "(default: configs/demo*.yaml as built into corag, copied to OUT/configs/source/)")
      ->check(CLI::ExistingDirectory);
  options->jobs = std::max(1U, std::thread::hardware_concurrency());
  command
      ->add_option("--jobs", options->jobs,
                   "training runs at once, each a single-threaded `corag train` child process (default: one per core)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->callback([options] {
    // The runs are trained by this very executable.
    options->trainer = std::filesystem::read_symlink("/proc/self/exe");
    const OutputLock lock(options->out, "corag demo");
    std::cout << run_demo(*options);
  });
}

}  // namespace corag::cli
