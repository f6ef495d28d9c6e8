#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/text/qa_metrics.hpp"
#include "corag/train/rag_model.hpp"
#include "corag/util/qa_reader.hpp"

namespace corag {

/// EM / F1 of one client on one split, and its predictions.
struct Evaluation {
  AnswerScoreTotals totals;
  /// Questions with a gold answer in one of their retrieved passages (whole words after SQuAD
  /// normalisation, the CRAB relevance test): answer recall@k, the retriever's own score.
  std::size_t answer_found = 0;
  /// One line per question: id, question, prediction, answers, em, f1 and the retrieved
  /// passage ids (best first).
  std::vector<nlohmann::json> predictions;
};

/// Answers `questions` greedily (top-k passages from `store` with the current query encoder,
/// or closed-book when the model has no retriever; the prediction is the text after
/// `<extra_id_0>`) and scores them against their gold answers.
Evaluation evaluate_questions(RagModel& model, const std::vector<QaRecord>& questions, const DenseStore* store,
                              const ExperimentConfig& config, const Runtime& runtime, const std::string& label);

}  // namespace corag
