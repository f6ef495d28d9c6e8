#include "corag/text/wordpiece_vocabulary.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "corag/util/error.hpp"

namespace corag {

std::vector<std::string> learn_wordpiece_vocabulary(const std::vector<std::string>& texts, std::size_t max_size,
                                                    std::size_t min_count, const BasicTokenizerOptions& options) {
  const BasicTokenizer tokenizer(options);
  std::map<std::string, std::size_t> counts;
  std::set<std::string> characters;
  for (const auto& text : texts) {
    for (const auto& word : tokenizer.tokenize(text)) {
      ++counts[word];
      for (char32_t c : decode_utf8(word)) characters.insert(encode_utf8(std::u32string(1, c)));
    }
  }
  std::vector<std::string> vocab = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
  std::set<std::string> present(vocab.begin(), vocab.end());
  const auto add = [&](const std::string& piece) {
    if (present.insert(piece).second) vocab.push_back(piece);
  };
  for (const auto& c : characters) add(c);
  for (const auto& c : characters) add("##" + c);
  CORAG_CHECK(vocab.size() <= max_size, "a WordPiece vocabulary of ", max_size, " entries cannot hold the ",
              characters.size(), " characters of the corpus twice plus the special tokens");
  std::vector<std::pair<std::string, std::size_t>> words(counts.begin(), counts.end());
  std::stable_sort(words.begin(), words.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [word, count] : words) {
    if (count < min_count || vocab.size() >= max_size) break;
    add(word);
  }
  return vocab;
}

}  // namespace corag
