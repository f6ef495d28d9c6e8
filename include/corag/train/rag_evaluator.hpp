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
