#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "corag/crab/crab_config.hpp"
#include "corag/util/qa_reader.hpp"

namespace corag {

/// The CRAB question splits: per client a train list (its first `s` questions are the s-shot
/// set, so 16 ⊂ 32 ⊂ 64), a dev list and a test list. Every question has a stable id: its own
/// `id`, else `<file name>:<line>`.
struct CrabSplits {
  std::vector<std::vector<QaRecord>> train, dev, test;  ///< [client][position]
  std::size_t test_pool = 0, train_pool = 0;            ///< usable questions after de-duplication
  std::size_t duplicates_dropped = 0;                   ///< repeated questions (normalised) within a pool
  std::size_t overlap_dropped = 0;                      ///< train-pool questions that are also in the test pool
};

/// Draws the splits with the config's seed: the test split from `data.test_pool`, then dev and
/// train from `data.train_pool` (which never shares a question with the test pool). A pool
/// smaller than the sizes asked for is an error that says how many questions are missing.
CrabSplits make_crab_splits(const CrabConfig& config);

}  // namespace corag
