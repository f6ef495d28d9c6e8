#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "corag/store/passage_table.hpp"
#include "corag/store/scored_row.hpp"
#include "corag/util/qa_reader.hpp"

namespace corag {

/// The CRAB classification of passages for one QA pair (paper 3.4, DESIGN.md): of its BM25
/// ranks 1..depth, those within 1..relevant_depth whose text contains a normalised answer are
/// *relevant*, those past relevant_depth are *hard negatives*, and a top-relevant_depth passage
/// without an answer is *irrelevant* (the paper's literal rule) or, with
/// `top_without_answer_is_hard_negative`, a hard negative; every other passage is *irrelevant*.
struct QaPassageClasses {
  std::vector<std::uint32_t> relevant;        ///< table rows, in rank order
  std::vector<std::uint32_t> hard_negatives;  ///< table rows, in rank order
};

/// The BM25 query of a QA pair: the question followed by its answers.
std::string classification_query(const QaRecord& qa);

/// Classifies one QA pair from its ranked hits (only the first `depth` are used).
QaPassageClasses classify_passages(const QaRecord& qa, const std::vector<ScoredRow>& hits, const PassageTable& table,
                                   std::size_t depth, std::size_t relevant_depth,
                                   bool top_without_answer_is_hard_negative);

}  // namespace corag
