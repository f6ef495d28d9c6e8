// Text pieces of pretraining, on hand-made inputs: the learned WordPiece vocabulary, T5 span
// corruption and Contriever's random crops.
#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "corag/text/span_corruption.hpp"
#include "corag/text/whitespace_words.hpp"
#include "corag/text/wordpiece_tokenizer.hpp"
#include "corag/text/wordpiece_vocabulary.hpp"
#include "corag/train/contrastive_pretraining.hpp"
#include "test_support.hpp"

using namespace corag;

TEST_CASE("learned WordPiece vocabulary: specials, characters twice, then frequent words", "[text][pretrain]") {
  const auto vocab = learn_wordpiece_vocabulary({"The cat.", "the dog", "THE cat sat"}, 100, 2);
  const std::vector<std::string> expected = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".",   "a",   "c",   "d",
                                             "e",     "g",     "h",     "o",     "s",      "t",   "##.", "##a", "##c",
                                             "##d",   "##e",   "##g",   "##h",   "##o",    "##s", "##t", "the", "cat"};
  CHECK(vocab == expected);
  const WordPieceTokenizer tokenizer(vocab, BasicTokenizerOptions{}, "learned");
  CHECK(tokenizer.tokenize("The cats, sadly") ==
        std::vector<std::string>{"the", "cat", "##s", "[UNK]", "[UNK]"});  // no "##l": "sadly" is [UNK]
  CHECK(learn_wordpiece_vocabulary({"The cat.", "the dog", "THE cat sat"}, 26, 2).back() == "the");
  CHECK_THROWS_AS(learn_wordpiece_vocabulary({"abcdefghij"}, 20, 1), Error);
}

TEST_CASE("span corruption: sentinels in order, spans apart, the text recoverable", "[text][pretrain]") {
  std::string text;
  for (int i = 0; i < 100; ++i) text += (i ? " w" : "w") + std::to_string(i);
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    Rng rng(seed);
    const auto corrupted = corrupt_spans(text, 0.15, 3.0, rng);
    std::vector<std::string> input, target;
    std::istringstream a(corrupted.input), b(corrupted.target);
    for (std::string w; a >> w;) input.push_back(w);
    for (std::string w; b >> w;) target.push_back(w);
    // Put each span back behind its sentinel: the original text.
    std::vector<std::vector<std::string>> spans;
    int expected_sentinel = 0;
    for (const auto& word : target) {
      if (word.rfind("<extra_id_", 0) == 0) {
        CHECK(word == "<extra_id_" + std::to_string(expected_sentinel++) + ">");
        spans.emplace_back();
      } else {
        REQUIRE_FALSE(spans.empty());
        spans.back().push_back(word);
      }
    }
    std::string rebuilt;
    std::size_t hidden = 0, sentinel = 0;
    for (std::size_t i = 0; i < input.size(); ++i) {
      if (input[i].rfind("<extra_id_", 0) == 0) {
        CHECK((i == 0 || input[i - 1].rfind("<extra_id_", 0) != 0));  // spans never touch
        for (const auto& word : spans[sentinel++]) rebuilt += (rebuilt.empty() ? "" : " ") + word, ++hidden;
      } else {
        rebuilt += (rebuilt.empty() ? "" : " ") + input[i];
      }
    }
    CHECK(rebuilt == text);
    CHECK(sentinel == spans.size());
    CHECK(hidden >= 10);
    CHECK(hidden <= 20);
  }
  Rng one(1), two(1);
  CHECK(corrupt_spans(text, 0.15, 3.0, one).input == corrupt_spans(text, 0.15, 3.0, two).input);
  Rng rng(0);
  CHECK(corrupt_spans("two words", 0.15, 3.0, rng).target.rfind("<extra_id_0> ", 0) == 0);
  CHECK_THROWS_AS(corrupt_spans("one", 0.15, 3.0, rng), Error);
}

TEST_CASE("random crops: contiguous runs of words within the crop fractions", "[text][pretrain]") {
  std::string text;
  for (int i = 0; i < 50; ++i) text += (i ? " w" : "w") + std::to_string(i);
  Rng rng(3);
  for (int i = 0; i < 50; ++i) {
    const auto [first, second] = random_crops(text, 0.2, 0.6, rng);
    for (const auto& crop : {first, second}) {
      CHECK((" " + text + " ").find(" " + crop + " ") != std::string::npos);
      const auto words = static_cast<std::size_t>(std::count(crop.begin(), crop.end(), ' ')) + 1;
      CHECK(words >= 10);
      CHECK(words <= 30);
    }
  }
  CHECK(random_crops("single", 0.2, 0.6, rng).first == "single");
}

TEST_CASE("word windows: a run of consecutive words, every start reachable", "[text][pretrain]") {
  const std::vector<std::string> words = {"w0", "w1", "w2", "w3", "w4", "w5"};
  Rng rng(3);
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) seen.insert(random_word_window(words, 4, rng));
  CHECK(seen == std::set<std::string>{"w0 w1 w2 w3", "w1 w2 w3 w4", "w2 w3 w4 w5"});
  CHECK(random_word_window(words, 10, rng) == "w0 w1 w2 w3 w4 w5");
  CHECK(random_word_window({"alone"}, 3, rng) == "alone");
}

TEST_CASE("covering spans contain the inner span, every such start reachable", "[text][pretrain]") {
  Rng rng(5);
  std::set<std::size_t> starts;
  // 10 words, inner [4, 6): a 5-word span containing it starts at 1, 2, 3 or 4.
  for (int i = 0; i < 200; ++i) {
    const auto span = random_covering_span(10, {4, 2}, 5, rng);
    CHECK(span.length == 5);
    starts.insert(span.start);
  }
  CHECK(starts == std::set<std::size_t>{1, 2, 3, 4});
  // Near the end: inner [8, 10) in 10 words, 4-word spans start at 6 only.
  CHECK(random_covering_span(10, {8, 2}, 4, rng).start == 6);
  // Shorter than the inner span: the inner span itself; longer than the text: all of it.
  const auto inner = random_covering_span(10, {3, 4}, 2, rng);
  CHECK((inner.start == 3 && inner.length == 4));
  const auto all = random_covering_span(10, {3, 4}, 50, rng);
  CHECK((all.start == 0 && all.length == 10));
  CHECK(join_words({"a", "b", "c", "d"}, {1, 2}) == "b c");
}

TEST_CASE("salient-span masking hides whole runs of capitalised words and numbers", "[text][pretrain]") {
  const std::string text =
      "Loul Quinsel was a poet born in Loford in 1891 and she worked for Verbar Mills for most of her long career";
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    Rng rng(seed);
    const auto corrupted = corrupt_salient_spans(text, 0.15, rng);
    std::istringstream in(corrupted.target);
    std::vector<std::string> hidden;
    for (std::string word; in >> word;) {
      if (word.rfind("<extra_id_", 0) != 0) hidden.push_back(word);
    }
    REQUIRE_FALSE(hidden.empty());
    for (const auto& word : hidden) {
      INFO(word);
      CHECK((std::isupper(static_cast<unsigned char>(word[0])) || std::isdigit(static_cast<unsigned char>(word[0]))));
    }
    // A run is hidden whole: "Loul Quinsel" and "Verbar Mills" go together or not at all.
    for (const auto& [first, second] : {std::pair{"Loul", "Quinsel"}, std::pair{"Verbar", "Mills"}}) {
      const bool a = std::find(hidden.begin(), hidden.end(), first) != hidden.end();
      const bool b = std::find(hidden.begin(), hidden.end(), second) != hidden.end();
      CHECK(a == b);
    }
    CHECK(hidden.size() >= 3);  // 15 % of 22 words, in whole runs
    CHECK(hidden.size() <= 6);
  }
  Rng rng(1);
  // No capitalised word or number: plain span corruption.
  CHECK(corrupt_salient_spans("only lower case words here at all", 0.15, rng).target.rfind("<extra_id_0> ", 0) == 0);
}
