#pragma once

#include <torch/types.h>

namespace corag {

/// Atlas's perplexity distillation (`ppmean`), summed over the questions of a batch. Atlas
/// calls `torch.nn.KLDivLoss()` with its default 'mean' reduction, which averages the
/// batch x k pointwise terms: divide this sum by batch x k for Atlas's loss.
///   sum_b KL( softmax(gold_b / t_gold) || softmax(scores_b / t_score) ),
/// gold = -(mean answer-token NLL given the question and one passage) with no gradient.
/// `scores` [batch, k]: retriever scores q·p / sqrt(dim) (gradient flows into them);
/// `passage_nll` [batch, k]; `mask` [batch, k] bool: which of the k slots hold a passage
/// (a store smaller than k leaves slots empty; they get neither mass nor gradient, and a
/// question without any passage contributes 0).
/// Returns a scalar in float32.
torch::Tensor perplexity_distillation_loss(const torch::Tensor& scores, const torch::Tensor& passage_nll,
                                           const torch::Tensor& mask, double temperature_gold,
                                           double temperature_score);

}  // namespace corag
