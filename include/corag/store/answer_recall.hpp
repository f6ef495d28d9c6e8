#pragma once

#include <cstddef>
#include <filesystem>
#include <vector>

namespace corag {

/// Answer recall@k of a retrieval file: per k, the share of questions with a gold answer in the
/// text of one of their first k passages.
struct AnswerRecall {
  std::vector<std::size_t> ks;
  std::vector<double> percent;  ///< one per k
  std::size_t questions = 0;
};

/// Answer recall@k (the number DPR's and Pyserini's `evaluate_dpr_retrieval` report) of a file of
/// `corag retrieve` / `corag bm25 search` lines, or any reader input with `passages` in rank
/// order: for each of `ks` (ascending, positive), the percentage of questions one of whose first
/// k passages contains an answer, as whole words after SQuAD normalisation (the CRAB relevance
/// test; DPR tokenises instead, which can differ on punctuation inside answers). A question with
/// fewer than k passages counts with those it has. Lines without answers are errors.
AnswerRecall answer_recall_at_k(const std::filesystem::path& retrieval_file, const std::vector<std::size_t>& ks);

}  // namespace corag
