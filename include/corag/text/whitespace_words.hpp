#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace corag {

/// The words of `text` split at ASCII whitespace (runs count once, none at the ends): the
/// word view of span corruption, crops and SQuAD's F1 tokens.
std::vector<std::string> split_words(std::string_view text);

}  // namespace corag
