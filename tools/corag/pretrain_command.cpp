#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corag/config/config_reader.hpp"
#include "corag/config/config_writer.hpp"
#include "corag/train/pretraining.hpp"
#include "corag/util/output_lock.hpp"

namespace corag::cli {

void add_pretrain_command(CLI::App& app) {
  struct Options {
    std::string config, out;
    std::vector<std::string> overrides;
  };
  auto options = std::make_shared<Options>();
  auto* command = app.add_subcommand(
      "pretrain",
      "train tokenizers, a Contriever-style retriever and a span-corruption T5 reader from scratch on a corpus");
  command->add_option("-c,--config", options->config, "YAML (configs/demo-pretrain.yaml)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--set", options->overrides, "override: section.key=value (repeatable)");
  command->add_option("--out", options->out, "output directory: retriever/, reader/ (HF layout), pretrain.json")
      ->required();
  command->callback([options] {
    const auto config = load_config<PretrainConfig>(options->config, options->overrides);
    const OutputLock lock(options->out, "corag pretrain");
    std::cout << run_pretraining(config, config_to_yaml(config), options->out).dump(2) << "\n";
  });
}

}  // namespace corag::cli
