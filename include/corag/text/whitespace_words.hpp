#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "corag/util/rng.hpp"

namespace corag {

/// The words of `text` split at ASCII whitespace (runs count once, none at the ends): the
/// word view of span corruption, crops and SQuAD's F1 tokens.
std::vector<std::string> split_words(std::string_view text);

/// Consecutive words [start, start + length) of a text.
struct WordSpan {
  std::size_t start = 0;
  std::size_t length = 0;
};

/// `length` consecutive words of `total` (all of them when fewer) from a uniformly random start.
WordSpan random_word_span(std::size_t total, std::size_t length, Rng& rng);

/// `length` consecutive words of `total` (all of them when fewer) that contain `inner` (whole,
/// when `length` is shorter), from a uniformly random start among those.
WordSpan random_covering_span(std::size_t total, WordSpan inner, std::size_t length, Rng& rng);

/// The words of `span` joined by single spaces.
std::string join_words(const std::vector<std::string>& words, WordSpan span);

/// `length` consecutive words of `words` (all of them when fewer) from a uniformly random start,
/// joined by single spaces.
std::string random_word_window(const std::vector<std::string>& words, std::size_t length, Rng& rng);

}  // namespace corag
