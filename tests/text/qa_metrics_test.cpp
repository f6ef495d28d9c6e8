// EM / token F1 against values worked out by hand with the official SQuAD v1.1 rules
// (lower-case, drop ASCII punctuation, drop a/an/the, collapse whitespace; F1 over tokens
// with multiplicity, 0 when nothing is shared; both maximised over the gold answers).
#include <catch2/catch.hpp>

#include "corag/text/qa_metrics.hpp"

using namespace corag;
using Catch::Detail::Approx;

TEST_CASE("exact match on tricky strings", "[text][metrics]") {
  CHECK(exact_match("The Beatles!", "beatles") == 1.0);
  CHECK(exact_match("  A  cat ", "cat") == 1.0);
  CHECK(exact_match("Paris, France", "paris france") == 1.0);
  CHECK(exact_match("U.S.", "US") == 1.0);
  CHECK(exact_match("Café", "CAFÉ") == 1.0);
  CHECK(exact_match("theatre", "atre") == 0.0);  // "the" inside a word stays
  CHECK(exact_match("the", "a") == 1.0);         // both normalise to ""
  CHECK(exact_match("1,000", "1000") == 1.0);
  CHECK(exact_match("New York City", "New York") == 0.0);
}

TEST_CASE("token F1 on tricky strings", "[text][metrics]") {
  // cat sat on mat | cat on mat: 3 shared, P 3/4, R 1 -> 6/7.
  CHECK(token_f1("the cat sat on the mat", "a cat on a mat") == Approx(6.0 / 7.0));
  // new new york | new york: "new" counts once, P 2/3, R 1 -> 0.8.
  CHECK(token_f1("new new york", "new york") == Approx(0.8));
  CHECK(token_f1("Barack Obama", "Obama") == Approx(2.0 / 3.0));
  CHECK(token_f1("", "Obama") == 0.0);
  CHECK(token_f1("the", "a") == 0.0);                             // no tokens on either side: SQuAD gives 0
  CHECK(token_f1("red, white & blue", "Red White Blue") == 1.0);  // "&" is punctuation, dropped
  CHECK(token_f1("Red-Hot", "red hot") == 0.0);                   // "-" is dropped, not split: one token "redhot"
}

TEST_CASE("scores are maximised over gold answers and averaged in percent", "[text][metrics]") {
  auto score = score_answer("Obama", {"Barack Obama", "obama"});
  CHECK(score.em == 1.0);
  CHECK(score.f1 == 1.0);
  score = score_answer("Obama", {"Barack Obama", "President Obama Jr"});
  CHECK(score.em == 0.0);
  CHECK(score.f1 == Approx(2.0 / 3.0));  // max(2/3, 1/2)
  CHECK(score_answer("anything", {}).f1 == 0.0);

  AnswerScoreTotals totals;
  totals.add({1.0, 1.0});
  totals.add({0.0, 0.5});
  totals.add({0.0, 0.0});
  totals.add({1.0, 0.5});
  CHECK(totals.count() == 4);
  CHECK(totals.em_percent() == Approx(50.0));
  CHECK(totals.f1_percent() == Approx(50.0));
}
