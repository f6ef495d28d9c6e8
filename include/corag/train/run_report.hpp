#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/config/enum_names.hpp"
#include "corag/train/reported_run.hpp"

namespace corag {

/// Which of the paper's tables `corag report` lays out:
/// - `auto`: a row per combination of the config keys that vary within a regime (store variant,
///   shots, ...; a key that the others determine in every regime, such as steps that follow the
///   shots, names no rows of its own), a column per regime;
/// - `1` (also tables 2 and 5, the store ablations): a row per store.variant, local and
///   collaborative, and collaborative - local;
/// - `3`: a row per data.shots, a column per regime (closed-book first);
/// - `4`: as `auto`, the dev split's EM and F1 at the best dev point (runs with eval.dev);
/// - `6`: a row per client (each client's EM at its run's reported point), local and
///   collaborative, and the gain.
enum class ReportTableKind { automatic, store_variants, shots, dev, clients };
inline const EnumNames<ReportTableKind>& enum_names(ReportTableKind) {
  static const EnumNames<ReportTableKind> names = {{ReportTableKind::automatic, "auto"},
                                                   {ReportTableKind::store_variants, "1"},
                                                   {ReportTableKind::store_variants, "2"},
                                                   {ReportTableKind::shots, "3"},
                                                   {ReportTableKind::dev, "4"},
                                                   {ReportTableKind::store_variants, "5"},
                                                   {ReportTableKind::clients, "6"}};
  return names;
}

enum class ReportFormat { md, csv, latex, json };
inline const EnumNames<ReportFormat>& enum_names(ReportFormat) {
  static const EnumNames<ReportFormat> names = {{ReportFormat::md, "md"},
                                                {ReportFormat::csv, "csv"},
                                                {ReportFormat::latex, "latex"},
                                                {ReportFormat::json, "json"}};
  return names;
}

/// The runs of one cell: their EM and F1 averaged over seeds (sample standard deviation, n - 1),
/// and the run directories and reported points they came from.
struct ReportCell {
  double em_mean = 0, em_std = 0, f1_mean = 0, f1_std = 0;
  std::size_t n = 0;
  std::vector<std::string> sources;  ///< "runs/REL-64-collaborative (round 2, seed 0)"
  /// ReportedRun::retrieval averaged over the seeds; empty unless every seed's run has it.
  std::map<std::string, double> retrieval;
};

/// A table of the paper's shape: rows named by the values of `row_keys`, a column per regime,
/// and, where a row has both, collaborative - local in points and relative to local in %.
struct RunReport {
  std::string title;
  std::vector<std::string> row_keys;
  std::vector<std::string> rows;
  std::vector<std::string> columns;
  std::map<std::pair<std::string, std::string>, ReportCell> cells;  ///< (row, column)

  std::optional<double> gain(const std::string& row) const;           ///< collaborative - local, points
  std::optional<double> relative_gain(const std::string& row) const;  ///< in % of local; none when local is 0
};

/// Groups `runs` into the table `kind` asks for. Runs that differ only in runtime.seed share a
/// cell; two runs with the same settings and seed are an error naming both.
RunReport build_run_report(const std::vector<ReportedRun>& runs, ReportTableKind kind);

/// The table as Markdown (with a sources list), CSV, a LaTeX tabular or JSON.
std::string render_run_report(const RunReport& report, ReportFormat format);

}  // namespace corag
