#include <algorithm>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "corag/config/config_reader.hpp"
#include "corag/config/runtime.hpp"
#include "corag/models/weights_fingerprint.hpp"
#include "corag/store/answer_recall.hpp"
#include "corag/train/evaluation.hpp"
#include "corag/train/run_summary.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/output_lock.hpp"

namespace corag::cli {
namespace {

struct EvalOptions {
  std::string predictions, gold, retrieval;
  std::vector<std::size_t> recall_ks = {1, 5, 20, 100};
  std::string checkpoint, config, split, variant, out;
  std::vector<std::string> overrides;
  bool json = false;
};

void score_predictions(const EvalOptions& options) {
  const auto totals = score_predictions_file(options.predictions, options.gold);
  if (options.json) {
    std::cout << nlohmann::json{{"em", totals.em_percent()}, {"f1", totals.f1_percent()}, {"n", totals.count()}}.dump()
              << "\n";
  } else {
    std::printf("EM %.2f  F1 %.2f  n %zu\n", totals.em_percent(), totals.f1_percent(), totals.count());
  }
}

void score_retrieval(const EvalOptions& options) {
  const auto recall = answer_recall_at_k(options.retrieval, options.recall_ks);
  nlohmann::json json = {{"n", recall.questions}};
  for (std::size_t i = 0; i < recall.ks.size(); ++i) {
    json["recall@" + std::to_string(recall.ks[i])] = recall.percent[i];
    if (!options.json) std::printf("answer recall@%zu %.2f\n", recall.ks[i], recall.percent[i]);
  }
  if (options.json) {
    std::cout << json.dump() << "\n";
  } else {
    std::printf("n %zu\n", recall.questions);
  }
}

void evaluate_checkpoint(const EvalOptions& options) {
  auto overrides = options.overrides;
  if (!options.split.empty()) overrides.push_back("eval.split=" + options.split);
  if (!options.variant.empty()) overrides.push_back("store.variant=" + options.variant);
  const auto config = load_config<ExperimentConfig>(options.config, overrides);
  auto inputs = config.input_paths();  // the models come from --checkpoint, not from model.*
  inputs.erase(std::remove_if(inputs.begin(), inputs.end(),
                              [](const InputPath& input) { return input.key.rfind("model.", 0) == 0; }),
               inputs.end());
  require_config_inputs(inputs, "corag eval");
  const Runtime runtime = apply_runtime(config.runtime);
  const std::filesystem::path checkpoint = options.checkpoint;
  const auto split = to_string(config.eval.split);
  const std::filesystem::path out =
      options.out.empty() ? checkpoint / ("eval-" + split) : std::filesystem::path(options.out);
  const OutputLock lock(out, "corag eval");
  const auto retriever = config.model.retrieval ? checkpoint / "retriever" : std::filesystem::path();
  auto model = RagModel::load(checkpoint / "reader", retriever, config.model, runtime.device);
  std::unique_ptr<StoreCatalog> catalog;
  if (model.has_retriever()) {
    catalog = std::make_unique<StoreCatalog>(config.data.crab_dir, config.store.embeddings, config.store.index,
                                             out / "stores", weights_fingerprint(*model.retriever().passage_encoder()),
                                             retriever.string());
  }
  const auto clients = load_crab_clients(config.data.crab_dir, config.data.shots, config.data.clients);
  nlohmann::json summary = {
      {"mode", "eval"}, {"checkpoint", checkpoint.string()}, {"split", split}, {"variant", config.reported_variant()}};
  ClientScores scores;
  summary["clients"] = nlohmann::json::array();
  for (const auto& client : clients) {
    summary["clients"].push_back(
        evaluate_client(model, client, config.eval.split, catalog.get(), config, runtime,
                        out / ("client_" + std::to_string(client.index) + "." + split + ".jsonl")));
    scores.add(summary["clients"].back());
  }
  summary["average"] = {
      {"em", scores.em(false)}, {"f1", scores.f1(false)}, {"clients", scores.count()}, {"averaging", "client"}};
  summary["micro"] = {{"em", scores.em(true)}, {"f1", scores.f1(true)}, {"n", scores.questions()}};
  summary["best"] = {
      {"selection", checkpoint.string() + " on " + split}, {"em", scores.em(false)}, {"f1", scores.f1(false)}};
  write_file_atomically(out / "summary.json", summary.dump(2) + "\n");
  if (options.json) {
    std::cout << summary.dump() << "\n";
  } else {
    std::cout << render_summary_table(summary);
  }
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto options = std::make_shared<EvalOptions>();
  auto* command = app.add_subcommand(
      "eval", "EM / F1 (SQuAD normalisation, percent): of a predictions file, or of a checkpoint per client");
  auto* predictions =
      command
          ->add_option("--predictions", options->predictions, "JSONL {\"id\"?, \"prediction\"} per line (with --gold)")
          ->check(CLI::ExistingFile);
  auto* gold =
      command->add_option("--gold", options->gold, "QA JSONL file the predictions answer")->check(CLI::ExistingFile);
  auto* checkpoint =
      command
          ->add_option("--checkpoint", options->checkpoint,
                       "a checkpoint directory (reader/, retriever/) of `corag train`, or its best/ (with --config)")
          ->check(CLI::ExistingDirectory);
  auto* config =
      command->add_option("-c,--config", options->config, "the experiment config the checkpoint was trained with")
          ->check(CLI::ExistingFile);
  command->add_option("--set", options->overrides, "override: section.key=value (repeatable)");
  command->add_option("--split", options->split, "test (each client's test store) or dev (its train store)")
      ->check(CLI::IsMember({"test", "dev"}));
  command->add_option("--store-variant", options->variant, "REL, IRR, REL-1, SPLIT or ablations/<name>");
  command->add_option("--out", options->out, "predictions and summary.json (default: CHECKPOINT/eval-SPLIT)");
  auto* retrieval =
      command
          ->add_option("--retrieval", options->retrieval,
                       "answer recall@k of a retrieval file (corag retrieve / bm25 search output with answers)")
          ->check(CLI::ExistingFile);
  command->add_option("--recall-at", options->recall_ks, "the k of answer recall@k, ascending (with --retrieval)")
      ->delimiter(',')
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_flag("--json", options->json, "print JSON instead of a table");
  predictions->needs(gold);
  gold->needs(predictions);
  checkpoint->needs(config);
  predictions->excludes(checkpoint);
  retrieval->excludes(predictions);
  retrieval->excludes(checkpoint);
  command->callback([options] {
    if (!options->predictions.empty()) {
      score_predictions(*options);
    } else if (!options->retrieval.empty()) {
      score_retrieval(*options);
    } else {
      CORAG_CHECK(!options->checkpoint.empty(),
                  "corag eval: give --predictions FILE --gold FILE, --retrieval FILE, or --checkpoint DIR --config "
                  "FILE");
      evaluate_checkpoint(*options);
    }
  });
}

}  // namespace corag::cli
