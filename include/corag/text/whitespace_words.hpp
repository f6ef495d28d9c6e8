#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "corag/util/rng.hpp"

namespace corag {

/// The words of `text` split at ASCII whitespace (runs count once, none at the ends): the
/// word view of span corruption, crops and SQuAD's F1 tokens.
std::vector<std::string> split_words(std::string_view text);

/// `length` consecutive words of `words` (all of them when fewer) from a uniformly random start,
/// joined by single spaces.
std::string random_word_window(const std::vector<std::string>& words, std::size_t length, Rng& rng);

}  // namespace corag
