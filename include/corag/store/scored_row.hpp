#pragma once

#include <cstddef>

namespace corag {

/// A search hit: a row of the passage table and its score.
struct ScoredRow {
  std::size_t row;
  float score;
};

/// Ranking order of hits: higher score first, then lower row (deterministic ties).
inline bool ranks_before(const ScoredRow& a, const ScoredRow& b) {
  return a.score != b.score ? a.score > b.score : a.row < b.row;
}

}  // namespace corag
