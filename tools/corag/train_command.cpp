#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corag/config/config_reader.hpp"
#include "corag/config/config_writer.hpp"
#include "corag/train/run_summary.hpp"
#include "corag/train/trainer.hpp"
#include "corag/util/input_file.hpp"
#include "corag/util/output_lock.hpp"

namespace corag::cli {

void add_train_command(CLI::App& app) {
  struct Options {
    std::string config, out;
    std::vector<std::string> overrides;
    bool resume = false;
    std::int64_t stop_after = 0;
    std::vector<std::int64_t> seeds;
  };
  auto options = std::make_shared<Options>();
  auto* command = app.add_subcommand(
      "train", "train RAG (local, centralized or collaborative FedAvg) or the closed-book baseline on CRAB");
  command->add_option("-c,--config", options->config, "YAML experiment config (configs/crab64.yaml, ...)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--set", options->overrides, "override: section.key=value (repeatable)");
  command->add_option("--out", options->out, "run directory (config.resolved.yaml, metrics.jsonl, checkpoints/, ...)")
      ->required();
  command->add_flag("--resume", options->resume, "continue the run in --out from its last complete checkpoint");
  command
      ->add_option("--stop-after", options->stop_after,
                   "stop after writing this many checkpoints (split a long run; continue with --resume)")
      ->check(CLI::NonNegativeNumber);
  command
      ->add_option("--seeds", options->seeds,
                   "run once per seed (runtime.seed) into --out/seed-N and report mean and std over them "
                   "(seeds.json, seeds.md); e.g. --seeds 0,1,2")
      ->delimiter(',');
  command->callback([options] {
    const auto config = load_config<ExperimentConfig>(options->config, options->overrides);
    require_config_inputs(config.input_paths(), "corag train");  // before --out is made
    for (const auto& input :
         {config.data.crab_dir, config.model.reader, config.model.retriever, config.store.embeddings}) {
      require_output_outside(options->out, input);
    }
    const OutputLock lock(options->out, "corag train");
    TrainRunOptions run;
    run.run_dir = options->out;
    run.resolved_config_yaml = config_to_yaml(config);
    run.resume = options->resume;
    run.stop_after = options->stop_after;
    if (!options->seeds.empty()) {
      const auto seeds = run_training_seeds(config, run, options->seeds);
      if (!seeds.is_null()) std::cout << render_seeds_table(seeds);
      return;
    }
    const auto summary = run_training(config, run);
    if (!summary.is_null()) std::cout << render_summary_table(summary);
  });
}

}  // namespace corag::cli
