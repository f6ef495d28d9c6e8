#include <iostream>
#include <memory>
#include <optional>

#include <spdlog/spdlog.h>
#include <torch/cuda.h>

#include "commands.hpp"
#include "corag/config/config_reader.hpp"
#include "corag/config/config_writer.hpp"
#include "corag/dist/local_ranks.hpp"
#include "corag/dist/process_group_collective.hpp"
#include "corag/train/run_summary.hpp"
#include "corag/train/trainer.hpp"
#include "corag/util/command_line.hpp"
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
    int nproc = 1;
    RankOverrides ranks;
    std::int64_t timeout_s = 300;
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
  command
      ->add_option(
          "--nproc", options->nproc,
          "train as N rank processes on this machine (collaborative, centralized; README \"Distributed training\")")
      ->check(CLI::Range(1, 4096));
  command->add_option("--rank", options->ranks.rank, "this process's rank (RANK)");
  command->add_option("--world-size", options->ranks.world_size, "number of ranks (WORLD_SIZE)");
  command->add_option("--local-rank", options->ranks.local_rank, "rank on this machine: its GPU (LOCAL_RANK)");
  command->add_option("--master-addr", options->ranks.master_addr, "address of rank 0 (MASTER_ADDR)");
  command->add_option("--master-port", options->ranks.master_port, "port rank 0 listens on (MASTER_PORT)");
  command
      ->add_option("--dist-timeout", options->timeout_s,
                   "seconds a rank waits for the others before it stops with an error naming the late rank")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{7 * 24 * 3600}));
  command->callback([options] {
    const auto config = load_config<ExperimentConfig>(options->config, options->overrides);
    require_config_inputs(config.input_paths(), "corag train");  // before --out is made
    for (const auto& input :
         {config.data.crab_dir, config.model.reader, config.model.retriever, config.store.embeddings}) {
      require_output_outside(options->out, input);
    }
    options->ranks.timeout = std::chrono::seconds(options->timeout_s);
    const auto environment = rank_environment(options->ranks);
    if (options->nproc > 1) {
      CORAG_CHECK(!environment, "--nproc ", options->nproc, ": this process is already rank ", environment->rank,
                  " of ", environment->world_size, " (RANK/WORLD_SIZE or --rank/--world-size); use one or the other");
      LocalRanksLaunch launch;
      launch.nproc = options->nproc;
      launch.master_port = static_cast<std::uint16_t>(options->ranks.master_port.value_or(0));
      launch.grace = options->ranks.timeout;
      run_local_ranks(without_nproc(own_command_line()), launch);
      return;
    }
    stop_with_launcher();
    std::unique_ptr<ProcessGroupCollective> collective;
    if (environment && environment->world_size > 1) collective = std::make_unique<ProcessGroupCollective>(*environment);
    const bool writer = collective == nullptr || collective->is_writer();
    // The other ranks' progress is rank 0's; they report their warnings and errors.
    if (!writer && spdlog::get_level() < spdlog::level::warn) spdlog::set_level(spdlog::level::warn);
    std::optional<OutputLock> lock;
    if (writer) lock.emplace(options->out, "corag train");
    TrainRunOptions run;
    run.run_dir = options->out;
    run.resolved_config_yaml = config_to_yaml(config);
    run.resume = options->resume;
    run.stop_after = options->stop_after;
    run.collective = collective.get();
    if (environment)
      run.device = rank_device(config.runtime.device, environment->local_rank, torch::cuda::is_available());
    if (!options->seeds.empty()) {
      const auto seeds = run_training_seeds(config, run, options->seeds);
      if (!seeds.is_null() && writer) std::cout << render_seeds_table(seeds);
      return;
    }
    const auto summary = run_training(config, run);
    if (!summary.is_null() && writer) std::cout << render_summary_table(summary);
  });
}

}  // namespace corag::cli
