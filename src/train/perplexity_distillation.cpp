#include "corag/train/perplexity_distillation.hpp"

#include <limits>

#include "corag/util/error.hpp"

namespace corag {

torch::Tensor perplexity_distillation_loss(const torch::Tensor& scores, const torch::Tensor& passage_nll,
                                           const torch::Tensor& mask, double temperature_gold,
                                           double temperature_score) {
  CORAG_CHECK(scores.dim() == 2 && scores.sizes() == passage_nll.sizes() && scores.sizes() == mask.sizes(),
              "perplexity distillation: scores ", scores.sizes(), ", passage_nll ", passage_nll.sizes(), " and mask ",
              mask.sizes(), " must all be [batch, k]");
  CORAG_CHECK(temperature_gold > 0 && temperature_score > 0, "perplexity distillation: temperatures must be positive");
  // Finite, so that a row without any passage stays a finite (uniform) distribution with a zero
  // gradient instead of a NaN one.
  const auto lowest = std::numeric_limits<float>::lowest();
  const auto gold = (-passage_nll.detach().to(torch::kFloat32) / temperature_gold).masked_fill(~mask, lowest);
  const auto student = (scores.to(torch::kFloat32) / temperature_score).masked_fill(~mask, lowest);
  const auto gold_log_probs = torch::log_softmax(gold, -1);
  const auto student_log_probs = torch::log_softmax(student, -1);
  // Empty slots have probability 0 in both: their terms are defined as 0, not 0 * (-inf).
  const auto terms = (gold_log_probs.exp() * (gold_log_probs - student_log_probs)).masked_fill(~mask, 0.0);
  return terms.sum();
}

}  // namespace corag
