#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "commands.hpp"
#include "corag/util/data_summary.hpp"

namespace corag::cli {

void add_data_check_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> qa_files;
    std::vector<std::string> corpora;
  };
  auto options = std::make_shared<Options>();
  auto* command =
      app.add_subcommand("data-check", "validate QA files and passage corpora line by line and summarise them");
  command->add_option("--qa", options->qa_files, "QA JSONL file (answers or NQ-open answer)")->check(CLI::ExistingFile);
  command->add_option("--corpus", options->corpora, "passage corpus: JSONL or DPR TSV")->check(CLI::ExistingFile);
  command->callback([options] {
    if (options->qa_files.empty() && options->corpora.empty()) {
      throw CLI::ValidationError("data-check", "give at least one --qa or --corpus file");
    }
    for (const auto& path : options->qa_files) {
      const QaFileSummary s = summarize_qa_file(path);
      std::printf(
          "%s: %llu questions (%llu with id), %.2f answers per question, %llu duplicate questions, "
          "%llu duplicate ids\n",
          path.c_str(), static_cast<unsigned long long>(s.questions), static_cast<unsigned long long>(s.with_id),
          s.questions ? static_cast<double>(s.answers) / static_cast<double>(s.questions) : 0.0,
          static_cast<unsigned long long>(s.duplicate_questions), static_cast<unsigned long long>(s.duplicate_ids));
    }
    for (const auto& path : options->corpora) {
      const CorpusSummary s = summarize_corpus(path);
      std::printf("%s: %llu passages, %.1f words per passage, %llu duplicate ids, %llu empty texts\n", path.c_str(),
                  static_cast<unsigned long long>(s.passages),
                  s.passages ? static_cast<double>(s.words) / static_cast<double>(s.passages) : 0.0,
                  static_cast<unsigned long long>(s.duplicate_ids), static_cast<unsigned long long>(s.empty_texts));
    }
  });
}

}  // namespace corag::cli
