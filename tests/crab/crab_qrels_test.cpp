// TREC qrels from a CRAB classification file, against hand-written expected lines.
#include <sstream>

#include "corag/crab/crab_qrels.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::TempDir;
using corag::test::write_text;

TEST_CASE("qrels of a CRAB split: relevant passages grade 1, hard negatives at a chosen grade", "[crab]") {
  TempDir dir;
  const CrabLayout layout(dir.path());
  std::filesystem::create_directories(layout.classification());
  write_text(layout.classification_file("test"), R"({"id": "t1", "relevant": ["p5", "p9"], "hard_negatives": ["p2"]})"
                                                 "\n"
                                                 R"({"id": "t2", "relevant": [], "hard_negatives": ["p7", "p5"]})"
                                                 "\n");
  std::ostringstream relevant_only;
  CHECK(write_crab_qrels(layout, "test", std::nullopt, relevant_only) == 2);
  CHECK(relevant_only.str() == "t1 0 p5 1\nt1 0 p9 1\n");
  std::ostringstream graded;
  CHECK(write_crab_qrels(layout, "test", 0, graded) == 5);
  CHECK(graded.str() == "t1 0 p5 1\nt1 0 p9 1\nt1 0 p2 0\nt2 0 p7 0\nt2 0 p5 0\n");

  std::ostringstream ignored;
  CHECK_THAT(error_message([&] { write_crab_qrels(layout, "dev", 0, ignored); }),
             Catch::Contains("dev.jsonl: missing"));
  CHECK_THAT(error_message([&] { write_crab_qrels(layout, "val", 0, ignored); }),
             Catch::Contains("train, dev or test"));
  write_text(layout.classification_file("train"), R"({"id": "q", "relevant": [3]})"
                                                  "\n");
  CHECK_THAT(error_message([&] { write_crab_qrels(layout, "train", 0, ignored); }),
             Catch::Contains("train.jsonl:1: 'relevant' holds 3, not an id"));
}
