#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace corag {

/// The official SQuAD answer normalisation: lower-case, drop ASCII punctuation, drop the
/// articles a / an / the, collapse whitespace to single spaces.
std::string normalize_answer(std::string_view text);

/// Whether `text` contains `answer` after both are normalised, as whole words (the CRAB
/// relevance test). An answer that normalises to nothing is never contained.
bool contains_answer(std::string_view text, std::string_view answer);
/// Whether `text` contains any of `answers` (the text normalised once).
bool contains_any_answer(std::string_view text, const std::vector<std::string>& answers);

}  // namespace corag
