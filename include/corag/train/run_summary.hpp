#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace corag {

/// `value` with two decimals, as the tables print EM and F1 ("12.50").
std::string format_percent(double value);

/// EM / F1 of one eval point over clients, from per-client records `{"client", "em", "f1",
/// "n", "round"?, "step"?}`: client-averaged (the mean of the clients' scores, CoRAG's report)
/// or micro-averaged (over all questions, the Centralized report).
class ClientScores {
 public:
  void add(const nlohmann::json& record);
  double em(bool micro) const;
  double f1(bool micro) const;
  /// The clients' entries, in the order added.
  const nlohmann::json& clients() const { return clients_; }
  std::size_t count() const { return clients_.size(); }
  double questions() const { return questions_; }

 private:
  nlohmann::json clients_ = nlohmann::json::array();
  double em_sum_ = 0, f1_sum_ = 0, weighted_em_ = 0, weighted_f1_ = 0, questions_ = 0;
};

/// The paper's reporting over a run's test evaluation records (the `metrics.jsonl` lines with
/// `"split": "test"`; each has `client`, `em`, `f1`, `n` and `round` or `step`):
/// - `collaborative`: the round with the best client-averaged EM, with every client's EM / F1
///   at that round (paper table 6);
/// - `centralized`: the step with the best micro-averaged EM (over all test questions);
/// - `local`: each client's own best point, and the average of those bests.
/// Ties go to the earlier point. Returns `{"mode", "best", "clients": [...], "average"}`.
nlohmann::json summarize_run(const std::string& mode, const std::vector<nlohmann::json>& records);

/// A Markdown table of a summary: a header naming the mode (and `variant` when the summary has
/// one) and the selection, one row per client and the average row (EM / F1 in percent).
std::string render_summary_table(const nlohmann::json& summary);

}  // namespace corag
