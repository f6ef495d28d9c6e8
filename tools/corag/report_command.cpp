#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "commands.hpp"
#include "corag/train/paired_comparison.hpp"
#include "corag/train/run_report.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "enum_option.hpp"

namespace corag::cli {

void add_report_command(CLI::App& app) {
  struct Options {
    std::vector<std::string> runs, compare;
    ReportTableKind table = ReportTableKind::automatic;
    ReportFormat format = ReportFormat::md;
    std::string out;
    std::size_t resamples = 10000;
    std::uint64_t seed = 0;
  };
  auto options = std::make_shared<Options>();
  auto* command = app.add_subcommand(
      "report",
      "tables of finished corag train runs (mean ± std over seeds, collaborative - local, sources), or a "
      "paired significance test between two runs");
  command->add_option("runs", options->runs,
                      "run directories, or folders holding them (a sweep's tree, --seeds' seed-N folders)");
  add_enum_option(*command, "--table", options->table,
                  "auto (rows by the settings that vary), 1 (2, 5: by store variant), 3 (by shots), 4 (at the best "
                  "dev point), 6 (per client)");
  add_enum_option(*command, "--format", options->format, "md, csv, latex or json");
  command->add_option("--out", options->out, "write report.{md,csv,tex,json} into this folder instead of stdout");
  command
      ->add_option("--compare", options->compare,
                   "two run directories: paired test of their per-question exact match (McNemar, bootstrap)")
      ->expected(2);
  command->add_option("--resamples", options->resamples, "bootstrap resamples of --compare")
      ->check(CLI::Range(1, 10000000))
      ->capture_default_str();
  command->add_option("--seed", options->seed, "seed of the bootstrap")->capture_default_str();
  command->callback([options] {
    std::string text;
    if (!options->compare.empty()) {
      CORAG_CHECK(options->runs.empty(), "corag report: --compare takes its two runs itself; give no other runs");
      const auto a = ReportedRun::read(options->compare[0]), b = ReportedRun::read(options->compare[1]);
      text = render_comparison(compare_runs(a, b, options->resamples, options->seed), options->format);
    } else {
      std::vector<std::filesystem::path> roots(options->runs.begin(), options->runs.end());
      text = render_run_report(build_run_report(find_reported_runs(roots), options->table), options->format);
    }
    if (options->out.empty()) {
      std::cout << text;
      return;
    }
    static const std::map<ReportFormat, std::string> extensions = {{ReportFormat::md, "md"},
                                                                   {ReportFormat::csv, "csv"},
                                                                   {ReportFormat::latex, "tex"},
                                                                   {ReportFormat::json, "json"}};
    const auto file = std::filesystem::path(options->out) / ("report." + extensions.at(options->format));
    std::filesystem::create_directories(options->out);
    write_file_atomically(file, text);
    spdlog::info("report: {}", file.string());
  });
}

}  // namespace corag::cli
