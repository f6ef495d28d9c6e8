#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace corag {

/// One finished `corag train` run directory as `corag report` reads it: its resolved config,
/// flattened ("store.variant" -> "REL"), and what its summary.json reports.
struct ReportedRun {
  std::filesystem::path dir;
  std::map<std::string, std::string> config;
  std::string regime;  ///< closed-book (model.retrieval false), local, centralized or collaborative
  std::int64_t seed = 0;
  double em = 0, f1 = 0;  ///< at the reported point (the paper's rule)
  std::string point;      ///< "round 2", "step 400"
  /// With eval.dev: test EM and F1 at the best dev point, and the dev split's own there.
  std::optional<double> dev_selected_em, dev_selected_f1, dev_em, dev_f1;
  nlohmann::json clients;  ///< summary.json's per-client scores at the reported point
  /// What retrieval did at the reported point, from metrics.jsonl's test records there, the mean
  /// over the clients evaluated: answer_recall and retrieval_diagnostic_fields(), in percent.
  /// Empty for a closed-book run, or a run whose records lack them.
  std::map<std::string, double> retrieval;

  /// Reads `dir`'s config.resolved.yaml and summary.json; errors name the file at fault.
  static ReportedRun read(const std::filesystem::path& dir);
};

/// The finished runs under `roots`, in path order: a root that holds summary.json and
/// config.resolved.yaml is a run, any other root is searched for such folders (a sweep's tree,
/// `--seeds`' seed-N folders). A root with no finished run is an error naming it.
std::vector<ReportedRun> find_reported_runs(const std::vector<std::filesystem::path>& roots);

/// The regimes in the paper's column order.
const std::vector<std::string>& report_regimes();

}  // namespace corag
