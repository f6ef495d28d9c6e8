#pragma once

#include <optional>
#include <ostream>
#include <string>

#include "corag/crab/crab_layout.hpp"

namespace corag {

/// Writes TREC qrels (`qid 0 docid grade` per line) of one split (train, dev or test) of a CRAB
/// build from its passage classification, so that trec_eval-style tools can score retrieval
/// runs over it (`corag retrieve --format trec`, or Pyserini's): each question's relevant
/// passages with grade 1 and, when `hard_negative_grade` is given, its hard negatives with that
/// grade (0: judged non-relevant). Qids are the questions' ids in the split files. Returns the
/// number of lines written. A missing or malformed classification file is an error naming it.
std::size_t write_crab_qrels(const CrabLayout& layout, const std::string& split, std::optional<int> hard_negative_grade,
                             std::ostream& out);

}  // namespace corag
