#pragma once

#include <filesystem>

#include "corag/text/qa_metrics.hpp"

namespace corag {

/// Scores a predictions file (JSONL lines `{"id"?, "prediction"}`) against a QA file. Lines are
/// matched by `id` when every prediction and every gold question has one, otherwise by position,
/// which requires equal counts. Unknown, repeated or missing ids and count mismatches are errors
/// naming the file (and line).
AnswerScoreTotals score_predictions_file(const std::filesystem::path& predictions, const std::filesystem::path& gold);

}  // namespace corag
