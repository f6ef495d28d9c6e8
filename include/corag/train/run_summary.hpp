#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/config/experiment_config.hpp"

namespace corag {

/// `value` with two decimals, as the tables print EM and F1 ("12.50").
std::string format_percent(double value);

/// The mean and sample standard deviation (n - 1; 0 for a single value) of `values`, as the
/// paper reports runs over seeds.
std::pair<double, double> mean_and_std(const std::vector<double>& values);

/// EM / F1 of one eval point over clients, from per-client records `{"client", "em", "f1",
/// "n", "round"?, "step"?}`: client-averaged (the mean of the clients' scores, CoRAG's report)
/// or micro-averaged (over all questions, the Centralized report).
class ClientScores {
 public:
  void add(const nlohmann::json& record);
  double em(bool micro) const;
  double f1(bool micro) const;
  /// The clients' answer recall@k (records of retrieval runs carry `answer_recall`), averaged
  /// the same way; nullopt when a record lacks it (closed-book).
  std::optional<double> answer_recall(bool micro) const;
  /// The clients' entries, in the order added.
  const nlohmann::json& clients() const { return clients_; }
  std::size_t count() const { return clients_.size(); }
  double questions() const { return questions_; }

 private:
  nlohmann::json clients_ = nlohmann::json::array();
  double em_sum_ = 0, f1_sum_ = 0, weighted_em_ = 0, weighted_f1_ = 0, questions_ = 0;
  double recall_sum_ = 0, weighted_recall_ = 0;
  bool all_have_recall_ = true;
};

/// The paper's reporting (section 3.2: "the best client-averaged exact match on the test set
/// across rounds", micro-averaged for Centralized) over a run's evaluation records (the
/// `metrics.jsonl` lines; each has `split`, `client`, `em`, `f1`, `n` and `round` or `step`).
/// Every regime follows the same rule: the clients' scores are averaged at each eval point
/// (round for `collaborative`, step for `local` and `centralized`; client-averaged, or
/// micro-averaged over all test questions for `centralized`), then the best point is taken,
/// ties to the earlier. With dev records, `dev_selected` also reports the test scores at the
/// point with the best dev EM (selection that does not look at the test set).
/// `curve` is every test point in order with its averaged EM and answer recall@k (retrieval
/// runs): the learning curve of the run.
/// Returns `{"mode", "best", "clients": [...at the best point], "average", "curve": [{"round" or
/// "step", "em", "answer_recall"?}], "dev_selected"?}`.
nlohmann::json summarize_run(TrainMode mode, const std::vector<nlohmann::json>& records);

/// The runs of one experiment under several seeds (paper appendix B: "we report the average of
/// three runs"): per seed its summary's best EM / F1 (and the dev-selected ones when every run
/// has them), then their mean and sample standard deviation (n - 1; 0 for one run).
/// `runs` pairs each seed with its run summary. Returns `{"seeds": [{"seed", "em", "f1",
/// "dev_selected"?}], "mean": {"em", "f1"}, "std": {...}, "n", "dev_selected"?: {"mean", "std"}}`.
nlohmann::json summarize_seeds(const std::vector<std::pair<std::int64_t, nlohmann::json>>& runs);

/// The Markdown table of `summarize_seeds`: a row per seed and `mean ± std (n = N)`.
std::string render_seeds_table(const nlohmann::json& seeds);

/// A Markdown table of a summary: a header naming the mode (and `variant` when the summary has
/// one) and the selection, one row per client and the average row (EM / F1 in percent).
std::string render_summary_table(const nlohmann::json& summary);

}  // namespace corag
