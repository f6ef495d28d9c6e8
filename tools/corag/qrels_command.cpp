#include <memory>
#include <optional>
#include <string>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "corag/crab/crab_qrels.hpp"
#include "corag/util/atomic_file.hpp"

namespace corag::cli {

void add_qrels_command(CLI::App& app) {
  struct Options {
    std::string crab, split = "test", out;
    std::optional<int> hard_negative_grade;
  };
  auto options = std::make_shared<Options>();
  auto* command = app.add_subcommand(
      "qrels", "TREC qrels of a CRAB split from its passage classification, for trec_eval-style scoring of runs");
  command->add_option("--crab", options->crab, "a crab-build-stores output directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--split", options->split, "train, dev or test")
      ->check(CLI::IsMember({"train", "dev", "test"}))
      ->capture_default_str();
  command->add_option("--hard-negative-grade", options->hard_negative_grade,
                      "also list each question's hard negatives with this grade (0: judged non-relevant)");
  command->add_option("--out", options->out, "qrels file (qid 0 docid grade)")->required();
  command->callback([options] {
    std::size_t lines = 0;
    write_file_atomically(options->out, [&](std::ostream& out) {
      lines = write_crab_qrels(CrabLayout(options->crab), options->split, options->hard_negative_grade, out);
    });
    spdlog::info("qrels: {} judgements of the {} split -> {}", lines, options->split, options->out);
  });
}

}  // namespace corag::cli
