#include "corag/train/paired_comparison.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <vector>

#include "corag/util/error.hpp"
#include "corag/util/jsonl_reader.hpp"
#include "corag/util/rng.hpp"

namespace corag {
namespace {

/// "client_2/q17" -> exact match (0 or 1) of the run's test predictions at its reported point:
/// `predictions/round-R/`, `predictions/step-S/`, or a local run's `predictions/clientN-step-S/`.
std::map<std::string, int> question_results(const ReportedRun& run) {
  const auto space = run.point.find(' ');
  CORAG_CHECK(space != std::string::npos, run.dir.string(), ": summary.json names no reported point");
  char suffix[48];
  std::snprintf(suffix, sizeof suffix, "%s-%06lld", run.point.substr(0, space).c_str(),
                std::stoll(run.point.substr(space + 1)));
  const auto predictions = run.dir / "predictions";
  CORAG_CHECK(std::filesystem::is_directory(predictions), predictions.string(), ": missing");
  std::map<std::string, int> results;
  for (const auto& folder : std::filesystem::directory_iterator(predictions)) {
    const auto name = folder.path().filename().string();
    const bool reported =
        name == suffix || (name.size() > std::strlen(suffix) &&
                           name.compare(name.size() - std::strlen(suffix), std::string::npos, suffix) == 0 &&
                           name[name.size() - std::strlen(suffix) - 1] == '-');
    if (!reported) continue;
    for (const auto& file : std::filesystem::directory_iterator(folder.path())) {
      const auto file_name = file.path().filename().string();
      const std::string ending = ".test.jsonl";
      if (file_name.size() <= ending.size() ||
          file_name.compare(file_name.size() - ending.size(), ending.size(), ending))
        continue;
      const auto client = file_name.substr(0, file_name.size() - ending.size());
      JsonlReader lines(file.path());
      std::size_t line = 0;
      for (nlohmann::json record; lines.next(record);) {
        ++line;
        const auto id = record.contains("id") ? record["id"].dump() : "#" + std::to_string(line);
        const auto em = record.find("em");
        CORAG_CHECK(em != record.end() && em->is_number(), file.path().string(), ":", line, ": no 'em'");
        const auto [at, fresh] = results.emplace(client + "/" + id, em->get<double>() > 0.5 ? 1 : 0);
        CORAG_CHECK(fresh, file.path().string(), ":", line, ": question ", id, " appears twice");
      }
    }
  }
  CORAG_CHECK(!results.empty(), predictions.string(), ": no test predictions at the reported ", run.point);
  return results;
}

double log_choose(double n, double k) { return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1); }

}  // namespace

double mcnemar_exact_p(std::size_t only_a, std::size_t only_b) {
  const auto n = only_a + only_b;
  if (n == 0) return 1.0;
  const auto low = std::min(only_a, only_b);
  double tail = 0;
  for (std::size_t i = 0; i <= low; ++i) {
    tail +=
        std::exp(log_choose(static_cast<double>(n), static_cast<double>(i)) - static_cast<double>(n) * std::log(2.0));
  }
  return std::min(1.0, 2.0 * tail);
}

PairedComparison compare_runs(const ReportedRun& a, const ReportedRun& b, std::size_t resamples, std::uint64_t seed) {
  CORAG_CHECK(resamples >= 1, "corag report --compare: at least one bootstrap resample");
  const auto results_a = question_results(a), results_b = question_results(b);
  for (const auto& [a_key, unused] : results_a) {
    CORAG_CHECK(results_b.count(a_key) > 0, b.dir.string(), " has no prediction for ", a_key, ", which ",
                a.dir.string(), " has: the runs were not scored on the same questions");
  }
  CORAG_CHECK(results_a.size() == results_b.size(), a.dir.string(), " and ", b.dir.string(),
              " were not scored on the same questions (", results_a.size(), " and ", results_b.size(), ")");
  PairedComparison out;
  out.a = a.dir.string();
  out.b = b.dir.string();
  out.questions = results_a.size();
  std::vector<int> difference;  // per question: right in A - right in B
  std::size_t right_a = 0, right_b = 0;
  for (const auto& [key, em_a] : results_a) {
    const int em_b = results_b.at(key);
    right_a += static_cast<std::size_t>(em_a);
    right_b += static_cast<std::size_t>(em_b);
    if (em_a > em_b) ++out.only_a;
    if (em_b > em_a) ++out.only_b;
    difference.push_back(em_a - em_b);
  }
  const auto n = static_cast<double>(out.questions);
  out.em_a = 100.0 * static_cast<double>(right_a) / n;
  out.em_b = 100.0 * static_cast<double>(right_b) / n;
  out.mcnemar_p = mcnemar_exact_p(out.only_a, out.only_b);
  const double observed = out.em_a - out.em_b;
  Rng rng(derive_seed(seed, "report/bootstrap"));
  std::vector<double> drawn(resamples);
  std::size_t as_far = 0;
  for (auto& value : drawn) {
    long long total = 0;
    for (std::size_t i = 0; i < out.questions; ++i) total += difference[rng.uniform(out.questions)];
    value = 100.0 * static_cast<double>(total) / n;
    // Under the null the resampled differences centre on 0: shift them there.
    if (std::abs(value - observed) >= std::abs(observed) - 1e-12) ++as_far;
  }
  std::sort(drawn.begin(), drawn.end());
  const auto quantile = [&](double q) {
    return drawn[std::min(drawn.size() - 1, static_cast<std::size_t>(q * static_cast<double>(drawn.size())))];
  };
  out.resamples = resamples;
  out.interval_low = quantile(0.025);
  out.interval_high = quantile(0.975);
  out.bootstrap_p = static_cast<double>(as_far + 1) / static_cast<double>(resamples + 1);
  return out;
}

std::string render_comparison(const PairedComparison& c, ReportFormat format) {
  char text[1024];
  switch (format) {
    case ReportFormat::json:
      return nlohmann::json({{"a", c.a},
                             {"b", c.b},
                             {"questions", c.questions},
                             {"em_a", c.em_a},
                             {"em_b", c.em_b},
                             {"right_in_a_only", c.only_a},
                             {"right_in_b_only", c.only_b},
                             {"mcnemar_p", c.mcnemar_p},
                             {"bootstrap",
                              {{"resamples", c.resamples},
                               {"interval_95", {c.interval_low, c.interval_high}},
                               {"p", c.bootstrap_p}}}})
                 .dump(2) +
             "\n";
    case ReportFormat::csv:
      std::snprintf(text, sizeof text,
                    "a,b,questions,em_a,em_b,right_in_a_only,right_in_b_only,mcnemar_p,bootstrap_low,bootstrap_high,"
                    "bootstrap_p\n\"%s\",\"%s\",%zu,%.4f,%.4f,%zu,%zu,%.6g,%.4f,%.4f,%.6g\n",
                    c.a.c_str(), c.b.c_str(), c.questions, c.em_a, c.em_b, c.only_a, c.only_b, c.mcnemar_p,
                    c.interval_low, c.interval_high, c.bootstrap_p);
      return text;
    case ReportFormat::md:
    case ReportFormat::latex:
      break;
  }
  std::snprintf(text, sizeof text,
                "## Paired comparison on %zu test questions\n\n- A: %s: EM %.2f\n- B: %s: EM %.2f\n"
                "- A - B: %+.2f points; right in A only: %zu, in B only: %zu\n"
                "- McNemar (exact, two-sided): p = %.4g\n"
                "- paired bootstrap (%zu resamples): 95 %% interval [%+.2f, %+.2f], p = %.4g\n",
                c.questions, c.a.c_str(), c.em_a, c.b.c_str(), c.em_b, c.em_a - c.em_b, c.only_a, c.only_b, c.mcnemar_p,
                c.resamples, c.interval_low, c.interval_high, c.bootstrap_p);
  return text;
}

}  // namespace corag
