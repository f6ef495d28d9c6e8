#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/config/enum_names.hpp"

#include "corag/store/passage_table.hpp"
#include "corag/store/scored_row.hpp"
#include "corag/util/qa_reader.hpp"

namespace corag {

/// One line of retrieval output (`corag retrieve`, `corag bm25 search`), directly usable as
/// reader input: `{"id"?, "question", "answers"?, "passages": [{"id", "title", "text", "score"}]}`
/// with the passages in rank order.
nlohmann::json retrieval_line(const QaRecord& query, const std::vector<ScoredRow>& hits, const PassageTable& table);

/// How `corag retrieve` and `corag bm25 search` write their hits.
enum class RetrievalFormat {
  jsonl,  ///< retrieval_line per question: reader input
  trec,   ///< a TREC run, `qid Q0 docid rank score tag`, for trec_eval-style tools
};

inline const EnumNames<RetrievalFormat>& enum_names(RetrievalFormat) {
  static const EnumNames<RetrievalFormat> names = {{RetrievalFormat::jsonl, "jsonl"}, {RetrievalFormat::trec, "trec"}};
  return names;
}

/// Writes the hits of the question at `position` (0-based) of its file in `format`; a TREC qid
/// is the question's id, or its 1-based line number when it has none.
void write_retrieval_hits(std::ostream& out, RetrievalFormat format, const QaRecord& query, std::size_t position,
                          const std::vector<ScoredRow>& hits, const PassageTable& table, const std::string& tag);

}  // namespace corag
