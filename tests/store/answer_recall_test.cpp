// Answer recall@k of a retrieval file against hand-counted expectations.
#include "corag/store/answer_recall.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::TempDir;
using corag::test::write_text;

TEST_CASE("answer recall@k counts questions with an answer in their first k passages", "[store]") {
  TempDir dir;
  // q1: answer in passage 1; q2: in passage 3 ("The Beatles" normalises to "beatles"); q3: only in
  // a title, which does not count (DPR matches the text); q4: in passage 2, but "Paris" must be a
  // whole word ("Parisian" is not it).
  write_text(dir / "r.jsonl",
             R"({"question": "q1", "answers": ["1969"], "passages": [{"title": "", "text": "in 1969 it landed"}]})"
             "\n"
             R"({"question": "q2", "answers": ["the Beatles"], "passages": [{"title": "a", "text": "no"},)"
             R"( {"title": "b", "text": "none"}, {"title": "c", "text": "a song by Beatles."}]})"
             "\n"
             R"({"question": "q3", "answers": ["Lyon"], "passages": [{"title": "Lyon", "text": "a city"}]})"
             "\n"
             R"({"question": "q4", "answers": ["Paris"], "passages": [{"title": "", "text": "Parisian food"},)"
             R"( {"title": "", "text": "to Paris, France"}]})"
             "\n");
  const auto recall = answer_recall_at_k(dir / "r.jsonl", {1, 2, 3, 100});
  CHECK(recall.questions == 4);
  CHECK(recall.percent == std::vector<double>{25.0, 50.0, 75.0, 75.0});

  CHECK_THAT(error_message([&] { answer_recall_at_k(dir / "r.jsonl", {5, 2}); }), Catch::Contains("ascending"));
  write_text(dir / "no-answers.jsonl", R"({"question": "q", "passages": []})"
                                       "\n");
  CHECK_THAT(error_message([&] { answer_recall_at_k(dir / "no-answers.jsonl", {1}); }),
             Catch::Contains("no-answers.jsonl:1") && Catch::Contains("answers"));
}
