#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "corag/train/reported_run.hpp"
#include "corag/train/run_report.hpp"

namespace corag {

/// Two runs' per-question exact match at their reported points (their `predictions/` there),
/// paired by client and question id, and whether the difference is more than noise: a few EM
/// points on a few hundred questions can be chance (`corag report --compare A B`).
struct PairedComparison {
  std::string a, b;  ///< the run directories
  std::size_t questions = 0;
  double em_a = 0, em_b = 0;           ///< over all paired questions (micro), percent
  std::size_t only_a = 0, only_b = 0;  ///< right in one run only: McNemar's discordant pairs
  double mcnemar_p = 1;                ///< exact two-sided McNemar (binomial on the discordant pairs)
  std::size_t resamples = 0;
  double interval_low = 0, interval_high = 0;  ///< paired bootstrap 95 % interval of em_a - em_b
  double bootstrap_p = 1;  ///< share of resampled differences at least as far from the observed one as it is from 0
};

/// Exact two-sided McNemar p-value: 2 P(X <= min(b, c)) for X ~ Binomial(b + c, 1/2), at most 1.
double mcnemar_exact_p(std::size_t only_a, std::size_t only_b);

/// Pairs the test predictions of `a` and `b` at their reported points; both must hold the same
/// questions (an error names the first that one lacks). `resamples` bootstrap draws, seeded.
PairedComparison compare_runs(const ReportedRun& a, const ReportedRun& b, std::size_t resamples, std::uint64_t seed);

std::string render_comparison(const PairedComparison& comparison, ReportFormat format);

}  // namespace corag
