#include "corag/text/qa_metrics.hpp"

#include <algorithm>
#include <map>

#include "corag/text/answer_normalization.hpp"
#include "corag/text/whitespace_words.hpp"

namespace corag {
namespace {

std::vector<std::string> normalized_tokens(std::string_view text) { return split_words(normalize_answer(text)); }

}  // namespace

double exact_match(std::string_view prediction, std::string_view answer) {
  return normalize_answer(prediction) == normalize_answer(answer) ? 1.0 : 0.0;
}

double token_f1(std::string_view prediction, std::string_view answer) {
  const auto predicted = normalized_tokens(prediction);
  const auto gold = normalized_tokens(answer);
  std::map<std::string, std::size_t> gold_counts;
  for (const auto& token : gold) ++gold_counts[token];
  std::size_t common = 0;
  for (const auto& token : predicted) {
    auto found = gold_counts.find(token);
    if (found != gold_counts.end() && found->second > 0) {
      --found->second;
      ++common;
    }
  }
  if (common == 0) return 0.0;
  const double precision = static_cast<double>(common) / static_cast<double>(predicted.size());
  const double recall = static_cast<double>(common) / static_cast<double>(gold.size());
  return 2 * precision * recall / (precision + recall);
}

AnswerScore score_answer(std::string_view prediction, const std::vector<std::string>& answers) {
  AnswerScore best;
  for (const auto& answer : answers) {
    best.em = std::max(best.em, exact_match(prediction, answer));
    best.f1 = std::max(best.f1, token_f1(prediction, answer));
  }
  return best;
}

void AnswerScoreTotals::add(const AnswerScore& score) {
  em_sum_ += score.em;
  f1_sum_ += score.f1;
  ++count_;
}

double AnswerScoreTotals::em_percent() const { return count_ ? 100.0 * em_sum_ / static_cast<double>(count_) : 0.0; }
double AnswerScoreTotals::f1_percent() const { return count_ ? 100.0 * f1_sum_ / static_cast<double>(count_) : 0.0; }

}  // namespace corag
