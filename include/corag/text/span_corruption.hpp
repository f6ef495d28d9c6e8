#pragma once

#include <string>

#include "corag/util/rng.hpp"

namespace corag {

/// A T5 span-corruption example: the text with each hidden span replaced by its sentinel, and
/// the target `<extra_id_0> span0 <extra_id_1> span1 ...`.
struct CorruptedText {
  std::string input;
  std::string target;
};

/// T5's span corruption over whitespace-separated words: about `noise_density` of the words (at
/// least one), in non-adjacent spans of mean length `mean_span`, are hidden behind the
/// sentinels `<extra_id_0>`, `<extra_id_1>`, ... in order (at most 100 spans).
CorruptedText corrupt_spans(const std::string& text, double noise_density, double mean_span, Rng& rng);

/// Salient-span masking (REALM): the spans hidden are runs of words that start with a capital
/// letter or a digit (names, places, years: what factoid questions ask for), chosen at random
/// until about `noise_density` of the words are hidden; text without such a run falls back to
/// `corrupt_spans`.
CorruptedText corrupt_salient_spans(const std::string& text, double noise_density, Rng& rng);

}  // namespace corag
