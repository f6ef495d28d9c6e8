#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"
#include "corag/train/crab_clients.hpp"
#include "corag/train/rag_model.hpp"
#include "corag/train/store_catalog.hpp"

namespace corag {

/// Scores `client` on `split` ("test" or "dev"), retrieving from its own store of that split,
/// or with eval.include_train_store from the union of that store and its train store under
/// store.variant (paper table 5), at most eval.max_questions questions. Writes the predictions
/// to `predictions_file` (atomically, when not empty) and returns the metrics record
/// `{"client", "split", "em", "f1", "n", "eval_store", "answer_recall"?}` (in percent;
/// answer_recall, with retrieval: questions with an answer in a retrieved passage). `catalog`
/// may be null for a closed-book model.
nlohmann::json evaluate_client(RagModel& model, const CrabClient& client, EvalSplit split, StoreCatalog* catalog,
                               const ExperimentConfig& config, const Runtime& runtime,
                               const std::filesystem::path& predictions_file);

}  // namespace corag
