#include "corag/train/run_report.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <set>
#include <sstream>

#include "corag/config/store_variants.hpp"
#include "corag/train/run_summary.hpp"
#include "corag/util/error.hpp"

namespace corag {
namespace {

/// Keys tried first as row keys, in this order; any other varying key follows alphabetically.
const std::vector<std::string>& preferred_row_keys(ReportTableKind kind) {
  static const std::vector<std::string> by_variant = {"store.variant", "data.shots", "model.reader"};
  static const std::vector<std::string> by_shots = {"data.shots", "store.variant", "model.reader"};
  return kind == ReportTableKind::shots ? by_shots : by_variant;
}

std::vector<std::string> columns_of(ReportTableKind kind, const std::vector<ReportedRun>& runs) {
  if (kind == ReportTableKind::store_variants || kind == ReportTableKind::clients) return {"local", "collaborative"};
  std::vector<std::string> present;
  for (const auto& regime : report_regimes()) {
    if (std::any_of(runs.begin(), runs.end(), [&](const ReportedRun& run) { return run.regime == regime; }))
      present.push_back(regime);
  }
  return present;
}

std::string value_of(const ReportedRun& run, const std::string& key) {
  const auto found = run.config.find(key);
  return found == run.config.end() ? "" : found->second;
}

/// A row's (key, value) pairs, in the order of the row keys.
using RowValues = std::vector<std::pair<std::string, std::string>>;

/// Where a store variant comes in the paper's tables: table 1's variants, PARTITION, then REL's
/// ablations in table 5's order; other names after them.
std::size_t store_rank(const std::string& variant) {
  std::vector<std::string> order = paper_store_variants();
  order.push_back("PARTITION");
  for (const auto& name : ablation_stores()) order.push_back(kAblationsPrefix + name);
  return static_cast<std::size_t>(std::find(order.begin(), order.end(), variant) - order.begin());
}

/// Natural order: runs of digits compare by value ("16" before "128", "client 2" before "client 10").
bool natural_less(const std::string& a, const std::string& b) {
  std::size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) && std::isdigit(static_cast<unsigned char>(b[j]))) {
      std::size_t end_a = i, end_b = j;
      while (end_a < a.size() && std::isdigit(static_cast<unsigned char>(a[end_a]))) ++end_a;
      while (end_b < b.size() && std::isdigit(static_cast<unsigned char>(b[end_b]))) ++end_b;
      const auto digits_a = a.substr(i, end_a - i), digits_b = b.substr(j, end_b - j);
      const auto trimmed_a = digits_a.substr(std::min(digits_a.find_first_not_of('0'), digits_a.size()));
      const auto trimmed_b = digits_b.substr(std::min(digits_b.find_first_not_of('0'), digits_b.size()));
      if (trimmed_a.size() != trimmed_b.size()) return trimmed_a.size() < trimmed_b.size();
      if (trimmed_a != trimmed_b) return trimmed_a < trimmed_b;
      i = end_a;
      j = end_b;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  return a.size() - i < b.size() - j;
}

bool row_values_less(const RowValues& a, const RowValues& b) {
  for (std::size_t k = 0; k < std::min(a.size(), b.size()); ++k) {
    const auto& [key, x] = a[k];
    const auto& y = b[k].second;
    if (x == y) continue;
    if (key == "store.variant" && store_rank(x) != store_rank(y)) return store_rank(x) < store_rank(y);
    return natural_less(x, y);
  }
  return a.size() < b.size();
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string joined;
  for (const auto& part : parts) joined += (joined.empty() ? "" : separator) + part;
  return joined;
}

/// The keys that name rows: those whose value differs between runs of one regime (runtime.seed
/// aside), minus any that the keys kept before it determine within every regime (the demo's
/// train.steps follows data.shots), so that one setting is never split over two rows.
std::vector<std::string> row_keys_of(const std::vector<ReportedRun>& runs, ReportTableKind kind) {
  std::set<std::string> varying;
  for (const auto& regime : report_regimes()) {
    std::map<std::string, std::set<std::string>> values;
    for (const auto& run : runs) {
      if (run.regime != regime) continue;
      for (const auto& [key, value] : run.config) values[key].insert(value);
    }
    for (const auto& [key, seen] : values) {
      if (seen.size() > 1 && key != "runtime.seed") varying.insert(key);
    }
  }
  std::vector<std::string> ordered;
  for (const auto& key : preferred_row_keys(kind)) {
    if (varying.count(key) > 0) ordered.push_back(key);
  }
  for (const auto& key : varying) {
    if (std::find(ordered.begin(), ordered.end(), key) == ordered.end()) ordered.push_back(key);
  }
  // Tables 1 and 3 are by store variant and by shots even where all runs share one.
  std::vector<std::string> kept;
  if (kind == ReportTableKind::store_variants || kind == ReportTableKind::shots) {
    kept.push_back(preferred_row_keys(kind).front());
    ordered.erase(std::remove(ordered.begin(), ordered.end(), kept.front()), ordered.end());
  }
  for (const auto& key : ordered) {
    bool determined = true;
    for (const auto& regime : report_regimes()) {
      std::map<std::string, std::string> seen;
      for (const auto& run : runs) {
        if (run.regime != regime) continue;
        std::vector<std::string> label;
        for (const auto& kept_key : kept) label.push_back(value_of(run, kept_key));
        const auto [at, inserted] = seen.emplace(join(label, "\x1f"), value_of(run, key));
        if (!inserted && at->second != value_of(run, key)) determined = false;
      }
    }
    if (!determined) kept.push_back(key);
  }
  return kept;
}

struct Scored {
  const ReportedRun* run;
  double em, f1;
  std::string where;
};

std::string source_of(const ReportedRun& run, const std::string& extra = "") {
  return run.dir.string() + " (" + run.point + ", seed " + std::to_string(run.seed) + extra + ")";
}

}  // namespace

std::optional<double> RunReport::gain(const std::string& row) const {
  const auto local = cells.find({row, "local"}), collaborative = cells.find({row, "collaborative"});
  if (local == cells.end() || collaborative == cells.end()) return std::nullopt;
  return collaborative->second.em_mean - local->second.em_mean;
}

std::optional<double> RunReport::relative_gain(const std::string& row) const {
  const auto local = cells.find({row, "local"});
  const auto points = gain(row);
  if (!points || local->second.em_mean == 0) return std::nullopt;
  return 100.0 * *points / local->second.em_mean;
}

RunReport build_run_report(const std::vector<ReportedRun>& runs, ReportTableKind kind) {
  CORAG_CHECK(!runs.empty(), "corag report: no runs");
  RunReport report;
  report.columns = columns_of(kind, runs);
  std::vector<ReportedRun> used;
  for (const auto& run : runs) {
    if (std::find(report.columns.begin(), report.columns.end(), run.regime) != report.columns.end())
      used.push_back(run);
  }
  CORAG_CHECK(!used.empty(), "corag report: table ", to_string(kind), " needs ", join(report.columns, " or "),
              " runs; none given");
  report.row_keys = row_keys_of(used, kind);
  static const std::map<ReportTableKind, std::string> titles = {
      {ReportTableKind::automatic, "Test EM by setting and regime"},
      {ReportTableKind::store_variants, "Test EM by train store (paper tables 1, 2 and 5)"},
      {ReportTableKind::shots, "Test EM by shots and regime (paper table 3)"},
      {ReportTableKind::dev, "Dev EM at the best dev point (paper table 4)"},
      {ReportTableKind::clients, "Test EM per client (paper table 6)"}};
  report.title = titles.at(kind);

  std::map<std::pair<std::string, std::string>, std::vector<Scored>> groups;
  std::map<std::string, RowValues> row_values;
  for (const auto& run : used) {
    RowValues label;
    for (const auto& key : report.row_keys) label.push_back({key, value_of(run, key)});
    std::vector<std::string> values;
    for (const auto& entry : label) values.push_back(entry.second);
    const auto row = join(values, ", ");
    row_values.emplace(row, label);
    if (kind == ReportTableKind::clients) {
      for (const auto& client : run.clients) {
        const auto id = client.at("client").get<std::int64_t>();
        const auto client_row = (row.empty() ? "" : row + ", ") + "client " + std::to_string(id);
        auto client_label = label;
        client_label.push_back({"client", std::to_string(id)});
        row_values.emplace(client_row, client_label);
        groups[{client_row, run.regime}].push_back(
            {&run, client.at("em").get<double>(), client.at("f1").get<double>(), ", client " + std::to_string(id)});
      }
    } else if (kind == ReportTableKind::dev) {
      CORAG_CHECK(run.dev_selected_em.has_value(), (run.dir / "summary.json").string(),
                  ": has no dev-selected scores (train with eval.dev: true)");
      // The paper's table 4 is the dev split's own performance (test EM there is in summary.json).
      groups[{row, run.regime}].push_back({&run, *run.dev_em, *run.dev_f1, ", dev split"});
    } else {
      groups[{row, run.regime}].push_back({&run, run.em, run.f1, ""});
    }
  }
  std::set<std::string> rows;
  for (auto& [at, scored] : groups) {
    std::map<std::int64_t, const ReportedRun*> seeds;
    ReportCell cell;
    std::vector<double> em, f1;
    for (const auto& entry : scored) {
      const auto [previous, fresh] = seeds.emplace(entry.run->seed, entry.run);
      CORAG_CHECK(fresh, "corag report: ", previous->second->dir.string(), " and ", entry.run->dir.string(),
                  " are the same setting (", at.first.empty() ? at.second : at.first, ") with the same seed ",
                  entry.run->seed);
      em.push_back(entry.em);
      f1.push_back(entry.f1);
      cell.sources.push_back(source_of(*entry.run, entry.where));
    }
    // Retrieval at the reported point: a run's client average, then the mean over seeds; only
    // where every seed has it (a per-client row has no run-level diagnostics).
    const bool all_retrieval =
        kind != ReportTableKind::clients &&
        std::all_of(scored.begin(), scored.end(), [](const Scored& e) { return !e.run->retrieval.empty(); });
    if (all_retrieval) {
      for (const auto& entry : scored) {
        for (const auto& [field, value] : entry.run->retrieval) cell.retrieval[field] += value / scored.size();
      }
    }
    std::tie(cell.em_mean, cell.em_std) = mean_and_std(em);
    std::tie(cell.f1_mean, cell.f1_std) = mean_and_std(f1);
    cell.n = em.size();
    report.cells[at] = cell;
    rows.insert(at.first);
  }
  report.rows.assign(rows.begin(), rows.end());
  // Rows in the order of their values, key by key: the paper's order for stores, numbers by value.
  std::stable_sort(report.rows.begin(), report.rows.end(), [&](const std::string& a, const std::string& b) {
    return row_values_less(row_values.at(a), row_values.at(b));
  });
  return report;
}

namespace {

std::string fixed(double value, const char* format = "%.2f") {
  char text[64];
  std::snprintf(text, sizeof text, format, value);
  return text;
}

std::string cell_text(const ReportCell& cell, const std::string& plus_minus) {
  return fixed(cell.em_mean) + (cell.n > 1 ? plus_minus + fixed(cell.em_std) : "") + " (n " + std::to_string(cell.n) +
         ")";
}

bool has_gains(const RunReport& report) {
  return std::any_of(report.rows.begin(), report.rows.end(),
                     [&](const std::string& row) { return report.gain(row).has_value(); });
}

/// The retrieval diagnostics of every cell that has them, a line per row and regime.
void render_retrieval_md(const RunReport& report, std::ostream& out) {
  const std::vector<std::pair<std::string, std::string>> fields = {
      {"answer_recall", "answer recall@k"},
      {"retrieved_relevant", "relevant"},
      {"retrieved_hard_negative", "hard neg."},
      {"retrieved_irrelevant", "irrelevant"},
      {"retrieved_own", "own data"},
      {"retrieved_other_clients", "other clients'"},
      {"wrong_from_hard_negative", "wrong from hard neg."}};
  bool any = false;
  for (const auto& [at, cell] : report.cells) any = any || !cell.retrieval.empty();
  if (!any) return;
  out << "\nRetrieval at the reported point (train/retrieval_diagnostics.hpp), in percent, the client "
         "average of each run, then the mean over seeds: answer recall@k, the shares of the retrieved top-k that "
         "are relevant / hard negatives / irrelevant for their question, that serve the client's own training "
         "questions / only other clients', and the share of wrong predictions copied from a retrieved hard "
         "negative.\n\n| row | regime |";
  for (const auto& field : fields) out << " " << field.second << " |";
  out << "\n| --- | --- |";
  for (std::size_t i = 0; i < fields.size(); ++i) out << " ---: |";
  out << "\n";
  for (const auto& row : report.rows) {
    for (const auto& column : report.columns) {
      const auto cell = report.cells.find({row, column});
      if (cell == report.cells.end() || cell->second.retrieval.empty()) continue;
      out << "| " << (row.empty() ? "all" : row) << " | " << column << " |";
      for (const auto& field : fields) {
        const auto value = cell->second.retrieval.find(field.first);
        out << " " << (value == cell->second.retrieval.end() ? "" : fixed(value->second, "%.1f")) << " |";
      }
      out << "\n";
    }
  }
}

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

std::string latex_escaped(const std::string& text) {
  std::string out;
  for (const char c : text)
    out += (c == '_' || c == '%' || c == '&' || c == '#') ? std::string("\\") + c : std::string(1, c);
  return out;
}

}  // namespace

std::string render_run_report(const RunReport& report, ReportFormat format) {
  const auto row_header = report.row_keys.empty() ? std::string("setting") : join(report.row_keys, ", ");
  const bool gains = has_gains(report);
  std::ostringstream out;
  switch (format) {
    case ReportFormat::md: {
      out << "## " << report.title << "\n\nExact match in percent at each run's reported point, the mean ± sample "
          << "standard deviation over seeds (n runs).\n\n| " << row_header << " |";
      for (const auto& column : report.columns) out << " " << column << " |";
      if (gains) out << " collaborative - local | relative gain |";
      out << "\n| --- |";
      for (std::size_t i = 0; i < report.columns.size() + (gains ? 2 : 0); ++i) out << " ---: |";
      out << "\n";
      for (const auto& row : report.rows) {
        out << "| " << (row.empty() ? "all" : row) << " |";
        for (const auto& column : report.columns) {
          const auto cell = report.cells.find({row, column});
          out << " " << (cell == report.cells.end() ? "" : cell_text(cell->second, " ± ")) << " |";
        }
        if (gains) {
          const auto points = report.gain(row);
          const auto relative = report.relative_gain(row);
          out << " " << (points ? fixed(*points, "%+.2f") : "") << " | "
              << (relative ? fixed(*relative, "%+.1f") + " %" : (points ? "n/a (local 0)" : "")) << " |";
        }
        out << "\n";
      }
      render_retrieval_md(report, out);
      out << "\nSources:\n";
      for (const auto& row : report.rows) {
        for (const auto& column : report.columns) {
          const auto cell = report.cells.find({row, column});
          if (cell == report.cells.end()) continue;
          out << "- " << (row.empty() ? "all" : row) << " / " << column << ": " << join(cell->second.sources, "; ")
              << "\n";
        }
      }
      break;
    }
    case ReportFormat::csv: {
      out << csv_field(row_header) << ",regime,em_mean,em_std,f1_mean,f1_std,n,sources\n";
      for (const auto& row : report.rows) {
        for (const auto& column : report.columns) {
          const auto cell = report.cells.find({row, column});
          if (cell == report.cells.end()) continue;
          const auto& c = cell->second;
          out << csv_field(row.empty() ? "all" : row) << "," << column << "," << fixed(c.em_mean, "%.4f") << ","
              << fixed(c.em_std, "%.4f") << "," << fixed(c.f1_mean, "%.4f") << "," << fixed(c.f1_std, "%.4f") << ","
              << c.n << "," << csv_field(join(c.sources, "; ")) << "\n";
        }
      }
      break;
    }
    case ReportFormat::latex: {
      out << "% " << report.title << ": EM in percent, mean $\\pm$ std over seeds (n)\n\\begin{tabular}{l"
          << std::string(report.columns.size() + (gains ? 2 : 0), 'r') << "}\n\\toprule\n"
          << latex_escaped(row_header);
      for (const auto& column : report.columns) out << " & " << column;
      if (gains) out << " & collab.\\ - local & relative";
      out << " \\\\\n\\midrule\n";
      for (const auto& row : report.rows) {
        out << latex_escaped(row.empty() ? "all" : row);
        for (const auto& column : report.columns) {
          const auto cell = report.cells.find({row, column});
          out << " & " << (cell == report.cells.end() ? "" : cell_text(cell->second, " $\\pm$ "));
        }
        if (gains) {
          const auto points = report.gain(row);
          const auto relative = report.relative_gain(row);
          out << " & " << (points ? fixed(*points, "%+.2f") : "") << " & "
              << (relative ? fixed(*relative, "%+.1f") + "\\%" : "");
        }
        out << " \\\\\n";
      }
      out << "\\bottomrule\n\\end{tabular}\n";
      break;
    }
    case ReportFormat::json: {
      nlohmann::json json = {{"title", report.title}, {"row_keys", report.row_keys}, {"columns", report.columns}};
      json["rows"] = nlohmann::json::array();
      for (const auto& row : report.rows) {
        nlohmann::json entry = {{"row", row}, {"cells", nlohmann::json::object()}};
        for (const auto& column : report.columns) {
          const auto cell = report.cells.find({row, column});
          if (cell == report.cells.end()) continue;
          const auto& c = cell->second;
          entry["cells"][column] = {{"em_mean", c.em_mean}, {"em_std", c.em_std}, {"f1_mean", c.f1_mean},
                                    {"f1_std", c.f1_std},   {"n", c.n},           {"sources", c.sources}};
          if (!c.retrieval.empty()) entry["cells"][column]["retrieval"] = c.retrieval;
        }
        if (const auto points = report.gain(row)) entry["collaborative_minus_local"] = *points;
        if (const auto relative = report.relative_gain(row)) entry["relative_gain_percent"] = *relative;
        json["rows"].push_back(entry);
      }
      out << json.dump(2) << "\n";
      break;
    }
  }
  return out.str();
}

}  // namespace corag
