#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "corag/store/passage_table.hpp"
#include "corag/store/scored_row.hpp"
#include "corag/util/qa_reader.hpp"

namespace corag {

/// One line of retrieval output (`corag retrieve`, `corag bm25 search`), directly usable as
/// reader input: `{"id"?, "question", "answers"?, "passages": [{"id", "title", "text", "score"}]}`
/// with the passages in rank order.
nlohmann::json retrieval_line(const QaRecord& query, const std::vector<ScoredRow>& hits, const PassageTable& table);

}  // namespace corag
