#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace corag {

/// Exact match and token F1 of one prediction, each the maximum over the gold answers, in
/// [0, 1] (the official SQuAD v1.1 evaluation, as Atlas and the paper use it).
struct AnswerScore {
  double em = 0;
  double f1 = 0;
};

/// 1 when the SQuAD-normalised prediction equals the normalised answer, else 0.
double exact_match(std::string_view prediction, std::string_view answer);
/// Harmonic mean of the token precision and recall of the normalised prediction against the
/// normalised answer (tokens counted with multiplicity); 0 when they share no token.
double token_f1(std::string_view prediction, std::string_view answer);
/// Both scores, maximised over `answers` (no answers: both 0).
AnswerScore score_answer(std::string_view prediction, const std::vector<std::string>& answers);

/// Running means of EM and F1 over predictions, reported in percent.
class AnswerScoreTotals {
 public:
  void add(const AnswerScore& score);
  std::size_t count() const { return count_; }
  double em_percent() const;
  double f1_percent() const;

 private:
  double em_sum_ = 0, f1_sum_ = 0;
  std::size_t count_ = 0;
};

}  // namespace corag
