#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "corag/text/basic_tokenizer.hpp"

namespace corag {

/// Learns a WordPiece vocabulary from texts: BERT's special tokens, every character seen (as a
/// word start and as a `##` continuation, so any word can be spelled), then the words of the
/// basic tokenizer's output by descending frequency (ties in byte order) while they occur at
/// least `min_count` times and the vocabulary holds fewer than `max_size` entries. Whole-word
/// pieces are what a corpus of names needs; the character pieces keep unseen words off [UNK].
std::vector<std::string> learn_wordpiece_vocabulary(const std::vector<std::string>& texts, std::size_t max_size,
                                                    std::size_t min_count, const BasicTokenizerOptions& options = {});

}  // namespace corag
