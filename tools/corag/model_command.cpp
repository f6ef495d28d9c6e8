#include <memory>
#include <string>

#include "commands.hpp"
#include "corag/models/random_checkpoint.hpp"
#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag::cli {

void add_model_command(CLI::App& app) {
  struct Options {
    std::string arch, config, tokenizer, out;
    std::uint64_t seed = 0;
  };
  auto options = std::make_shared<Options>();
  auto* model = app.add_subcommand("model", "model directory tools");
  model->require_subcommand(1);
  auto* init = model->add_subcommand(
      "init", "write a randomly initialised model directory in the Hugging Face layout (test fixtures, pretraining)");
  init->add_option("--arch", options->arch, "bert (Contriever retriever) or t5 (reader)")
      ->required()
      ->check(CLI::IsMember({"bert", "t5"}));
  init->add_option("--config", options->config, "config.json with the HF keys to set (others: bert-base / t5-base)")
      ->check(CLI::ExistingFile);
  init->add_option("--tokenizer", options->tokenizer, "vocab.txt (bert) or spiece.model (t5)")
      ->required()
      ->check(CLI::ExistingFile);
  init->add_option("--out", options->out, "model directory to write")->required();
  init->add_option("--seed", options->seed, "initialisation seed")->capture_default_str();
  init->callback([options] {
    nlohmann::json config = nlohmann::json::object();
    if (!options->config.empty()) {
      config = read_json_file(options->config);
      CORAG_CHECK(config.is_object(), options->config, ": expected a JSON object");
    }
    if (options->arch == "bert") {
      write_random_retriever(config, options->tokenizer, options->out, options->seed);
    } else {
      write_random_reader(config, options->tokenizer, options->out, options->seed);
    }
  });
}

}  // namespace corag::cli
