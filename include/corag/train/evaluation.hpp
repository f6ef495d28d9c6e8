#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/text/qa_metrics.hpp"
#include "corag/train/crab_clients.hpp"
#include "corag/train/rag_model.hpp"
#include "corag/train/store_catalog.hpp"
#include "corag/util/qa_reader.hpp"

// Evaluation, in one place: answering a client's questions and scoring them (EM / F1, answer
// recall@k), as training's eval points and `corag eval --checkpoint` do, and scoring a
// predictions file against a QA file (`corag eval --predictions`).

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

class RetrievalDiagnostics;

/// A client's metrics record and its predictions lines.
struct ClientEvaluation {
  nlohmann::json record;
  std::vector<nlohmann::json> predictions;
};

/// Scores `client` on `split` ("test" or "dev"), retrieving from its own store of that split,
/// or with eval.include_train_store from the union of that store and its train store under
/// store.variant (paper table 5), at most eval.max_questions questions. The metrics record is
/// `{"client", "split", "em", "f1", "n", "eval_store", "answer_recall"?}` (in percent;
/// answer_recall, with retrieval: questions with an answer in a retrieved passage; with
/// `diagnostics`, what the retrieved passages were: RetrievalDiagnostics::measure). `catalog`
/// may be null for a closed-book model.
ClientEvaluation score_client(RagModel& model, const CrabClient& client, EvalSplit split, StoreCatalog* catalog,
                              const ExperimentConfig& config, const Runtime& runtime,
                              const RetrievalDiagnostics* diagnostics = nullptr);

/// Writes predictions lines as JSONL, atomically.
void write_predictions_file(const std::filesystem::path& file, const std::vector<nlohmann::json>& predictions);

/// score_client, with the predictions written to `predictions_file`; returns the record.
nlohmann::json evaluate_client(RagModel& model, const CrabClient& client, EvalSplit split, StoreCatalog* catalog,
                               const ExperimentConfig& config, const Runtime& runtime,
                               const std::filesystem::path& predictions_file);

/// Scores a predictions file (JSONL lines `{"id"?, "prediction"}`) against a QA file. Lines are
/// matched by `id` when every prediction and every gold question has one, otherwise by position,
/// which requires equal counts. Unknown, repeated or missing ids and count mismatches are errors
/// naming the file (and line).
AnswerScoreTotals score_predictions_file(const std::filesystem::path& predictions, const std::filesystem::path& gold);

}  // namespace corag
