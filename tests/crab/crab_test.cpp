// CRAB: answer normalisation, the classification rule and the store invariants on hand-made
// cases (expected categories written by hand), the splits, and a whole build on the real
// NQ-open questions against a small generated corpus.
#include <set>

#include <nlohmann/json.hpp>

#include "corag/config/config_reader.hpp"
#include "corag/config/store_variants.hpp"
#include "corag/crab/crab_config.hpp"
#include "corag/crab/crab_splits.hpp"
#include "corag/crab/crab_stores.hpp"
#include "corag/crab/passage_classification.hpp"
#include "corag/text/answer_normalization.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::read_text;
using corag::test::TempDir;
using corag::test::write_text;

TEST_CASE("SQuAD answer normalisation and whole-word answer containment", "[crab]") {
  CHECK(normalize_answer("The Cat!") == "cat");
  CHECK(normalize_answer("  a  b   an c the ") == "b c");
  CHECK(normalize_answer("Théâtre, (1999)") == "théâtre 1999");
  CHECK(normalize_answer("U.S.A.") == "usa");
  CHECK(normalize_answer("the") == "");
  CHECK(contains_answer("Paris is the capital of France.", "paris"));
  CHECK(contains_answer("It was written by J. R. R. Tolkien in 1937", "J.R.R. Tolkien") == false);  // "jrr" vs "j r r"
  CHECK(contains_answer("It was written by J. R. R. Tolkien in 1937", "J. R. R. Tolkien"));
  CHECK_FALSE(contains_answer("Parisian cafes", "Paris"));  // whole words only
  CHECK_FALSE(contains_answer("anything", "The"));          // normalises to nothing
}

TEST_CASE(
    "CRAB classification: relevant in ranks 1..5 with an answer, ranks 6..50 hard negatives, the rest "
    "irrelevant (paper 3.4), or every non-relevant top-50 rank a hard negative",
    "[crab]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl",
             R"({"id": "p0", "title": "Paris", "text": "Paris is the capital of France."})"
             "\n"
             R"({"id": "p1", "title": "France", "text": "France is a country whose capital city is large."})"
             "\n"
             R"({"id": "p2", "title": "Paris, Texas", "text": "Paris is also a town in Texas."})"
             "\n"
             R"({"id": "p3", "title": "Lyon", "text": "Lyon is a city in France."})"
             "\n"
             R"({"id": "p4", "title": "Bread", "text": "How to bake bread."})"
             "\n");
  PassageTable::build(dir / "corpus.jsonl", dir / "table");
  const PassageTable table(dir / "table");
  const QaRecord qa{"q", "what is the capital of france", {"The Paris", "Paris, France"}};
  CHECK(classification_query(qa) == "what is the capital of france The Paris Paris, France");
  // Ranks given by hand: p1, p0, p2, p3; p4 is not retrieved.
  const std::vector<ScoredRow> hits{{1, 9.0f}, {0, 8.0f}, {2, 7.0f}, {3, 6.0f}};
  // relevant_depth 2: p0 (rank 2, contains "paris") is relevant; p2 (answer, but rank 3) and p3
  // are hard negatives; p1 (rank 1, no answer) is irrelevant under the paper's literal rule, as
  // is p4 (not retrieved): in neither list.
  const auto classes = classify_passages(qa, hits, table, /*depth=*/50, /*relevant_depth=*/2, false);
  CHECK(classes.relevant == std::vector<std::uint32_t>{0});
  CHECK(classes.hard_negatives == std::vector<std::uint32_t>{2, 3});
  // bm25.top_without_answer: hard_negative makes p1 a hard negative too.
  CHECK(classify_passages(qa, hits, table, 50, 2, true).hard_negatives == std::vector<std::uint32_t>{1, 2, 3});
  // With relevant_depth 3, p2 becomes relevant too; depth 2 cuts after rank 2.
  CHECK(classify_passages(qa, hits, table, 50, 3, false).relevant == std::vector<std::uint32_t>{0, 2});
  const auto shallow = classify_passages(qa, hits, table, 2, 2, true);
  CHECK(shallow.relevant == std::vector<std::uint32_t>{0});
  CHECK(shallow.hard_negatives == std::vector<std::uint32_t>{1});
  CHECK(classify_passages(qa, hits, table, 2, 2, false).hard_negatives.empty());
}

namespace {

/// Hand-made classification over a 1000-passage corpus, 2 clients.
CrabStoreInputs hand_inputs() {
  CrabStoreInputs inputs;
  inputs.corpus_size = 1000;
  // train: client 1 relevant {1, 2}, {3}; client 2 relevant {3, 4} (3 is shared), hard negatives 10..13.
  inputs.train = {{{{1, 2}, {10, 11}}, {{3}, {12}}}, {{{3, 4}, {13}}}};
  // test: client 1 relevant {500, 501}; client 2 relevant {501, 502} (501 shared), hard negative 520.
  // Passage 2 is relevant to a train question and to a test question of client 2.
  inputs.test = {{{{500, 501}, {520}}}, {{{501, 502, 2}, {}}}};
  // dev: client 1 relevant {600}; client 2 relevant {601, 4} (4 is also train-relevant).
  inputs.dev = {{{{600}, {}}}, {{{601, 4}, {}}}};
  return inputs;
}

bool contains_row(const RowSet& rows, std::uint32_t row) { return std::binary_search(rows.begin(), rows.end(), row); }

}  // namespace

TEST_CASE("CRAB stores: every invariant on a hand-made classification", "[crab]") {
  const auto inputs = hand_inputs();
  CrabStoresConfig config;
  config.rel1_client = 2;
  const auto stores = build_crab_stores(inputs, config, 7);
  check_crab_invariants(stores, inputs, config);

  // Test stores: each holds every passage relevant to its own questions, the shared 501 in both.
  CHECK(contains_row(stores.test[0], 500));
  CHECK(contains_row(stores.test[0], 501));
  CHECK(contains_row(stores.test[1], 501));
  CHECK(contains_row(stores.test[1], 502));
  CHECK(contains_row(stores.test[1], 2));
  CHECK(stores.test_relevant_in_several_stores == 1);
  CHECK(stores.test[0].size() == 2 + 25);  // {500, 501} + 2.5 % of 1000
  CHECK(stores.test[1].size() == 3 + 25);  // {2, 501, 502} + 2.5 % of 1000
  // Dev stores: their own relevant passages + the client's test sample.
  CHECK(stores.dev[0] == [&] {
    RowSet rows = stores.test_samples[0];
    rows.insert(std::lower_bound(rows.begin(), rows.end(), 600u), 600u);
    return rows;
  }());
  CHECK(contains_row(stores.dev[1], 4));
  CHECK(contains_row(stores.dev[1], 601));
  // Train-relevant passages: {1, 2, 3, 4} minus the test passage 2 and the dev passage 4.
  CHECK(stores.train_relevant == RowSet{1, 3});
  CHECK(stores.train_relevant_held_out == 2);
  // Eligible = 1000 - 9 relevant passages {1, 2, 3, 4, 500, 501, 502, 600, 601} - 50 samples.
  CHECK(stores.eligible == 941);
  // Fractions of the corpus: REL/IRR 0.8 x 1000 = 800, SPLIT 0.1 x 1000 = 100 per client.
  CHECK(stores.train_sample.requested == 800);
  CHECK(stores.train_sample.used == 800);
  CHECK(stores.irr.size() == 800);
  CHECK(stores.rel.size() == 800 + 2);
  for (const auto row : {1u, 3u}) {
    CHECK(contains_row(stores.rel, row));
    CHECK(!contains_row(stores.irr, row));
  }
  CHECK(!contains_row(stores.rel, 4));  // a dev passage
  CHECK(stores.rel1[0] == stores.irr);
  CHECK(stores.rel1[1] == stores.rel);
  CHECK(stores.split_samples[0].size() == 100);
  CHECK(contains_row(stores.split[0], 1));  // client 1's own relevant passages ...
  CHECK(contains_row(stores.split[1], 3));
  CHECK(!contains_row(stores.split[1], 1));  // ... not client 1's (1 is never eligible)
  // PARTITION: REL dealt out evenly (401 each), disjoint, together REL.
  CHECK(stores.partition[0].size() == 401);
  CHECK(stores.partition[1].size() == 401);
  // Ablations.
  const auto ablation = [&](const std::string& name) {
    for (const auto& [n, rows] : stores.ablations) {
      if (n == name) return rows;
    }
    FAIL("no ablation " << name);
    return RowSet{};
  };
  // Exactly the stores the sweeps and reports name (config/store_variants.hpp), each once.
  std::set<std::string> built;
  for (const auto& entry : stores.ablations) CHECK(built.insert(entry.first).second);
  CHECK(built == std::set<std::string>(ablation_stores().begin(), ablation_stores().end()));
  CHECK(ablation("only-relevant") == stores.train_relevant);
  CHECK(ablation("only-hardneg-irrelevant") == stores.irr);
  // Table 5: relevant + X % of REL's other passages; "empty" is the 0 % store; 100 % is REL.
  CHECK(ablation("relevant-plus-80").size() == 2 + 640);
  CHECK(ablation("relevant-plus-10").size() == 2 + 80);
  CHECK(ablation("relevant-plus-1").size() == 2 + 8);
  CHECK(ablation("empty").empty());
  for (const auto row : ablation("relevant-plus-20")) CHECK(contains_row(ablation("relevant-plus-50"), row));  // nested
  for (const auto row : ablation("relevant-plus-50")) CHECK(contains_row(stores.rel, row));                    // in REL
  CHECK(ablation("only-top1-relevant-irrelevant").size() < ablation("only-relevant-irrelevant").size() + 1);
  CHECK(contains_row(ablation("only-top1-relevant-irrelevant"), 1));  // the top-1 relevant of client 1's question 1
  CHECK(contains_row(ablation("only-top1-relevant-irrelevant"), 3));
  // Hard negatives 10..13 are in only-relevant-hardneg exactly when sampled into REL.
  for (const auto row : {10u, 11u, 12u, 13u}) {
    CHECK(contains_row(ablation("only-relevant-hardneg"), row) == contains_row(stores.rel, row));
    CHECK(!contains_row(ablation("only-relevant-irrelevant"), row));
  }
  // The same seed gives the same stores; another seed other samples.
  CHECK(build_crab_stores(inputs, config, 7).irr == stores.irr);
  CHECK(build_crab_stores(inputs, config, 8).irr != stores.irr);

  // A share larger than what is eligible is capped, and says so.
  config.train_fraction = 0.99;
  config.split_fraction = 0.5;
  const auto capped = build_crab_stores(inputs, config, 7);
  check_crab_invariants(capped, inputs, config);
  CHECK(capped.train_sample.requested == 990);
  CHECK(capped.train_sample.used == 941);
  CHECK(capped.split_sample.requested == 500);
  CHECK(capped.split_sample.used == 470);  // 941 eligible / 2 clients
}

TEST_CASE("CRAB stores: violated invariants and impossible fractions are errors", "[crab]") {
  const auto inputs = hand_inputs();
  CrabStoresConfig config;
  auto stores = build_crab_stores(inputs, config, 1);
  auto broken = stores;
  broken.irr.insert(std::lower_bound(broken.irr.begin(), broken.irr.end(), 3u), 3u);
  broken.test[1].push_back(broken.test[0].front());
  std::sort(broken.test[1].begin(), broken.test[1].end());
  const auto message = error_message([&] { check_crab_invariants(broken, inputs, config); });
  CHECK_THAT(message, Catch::Contains("IRR holds train-relevant passages") &&
                          Catch::Contains("test stores of clients 1 and 2 overlap"));
  config.test_fraction = 0.6;
  CHECK_THAT(error_message([&] { build_crab_stores(inputs, config, 1); }), Catch::Contains("too small"));
}

TEST_CASE("CRAB splits: nested shots, disjoint clients and splits, stable ids, pool errors", "[crab]") {
  TempDir dir;
  std::string test_pool, train_pool;
  for (int i = 0; i < 40; ++i)
    test_pool += nlohmann::json{{"question", "test question " + std::to_string(i)}, {"answer", {"a"}}}.dump() + "\n";
  test_pool +=
      nlohmann::json{{"question", "Test question 3?"}, {"answer", {"a"}}}.dump() + "\n";  // duplicate once normalised
  for (int i = 0; i < 60; ++i)
    train_pool += nlohmann::json{{"question", "train question " + std::to_string(i)}, {"answers", {"b"}}}.dump() + "\n";
  train_pool += nlohmann::json{{"question", "test question 7"}, {"answers", {"b"}}}.dump() + "\n";  // in the test pool
  write_text(dir / "test.jsonl", test_pool);
  write_text(dir / "train.jsonl", train_pool);
  write_text(dir / "crab.yaml", "data:\n  train_pool: [" + (dir / "train.jsonl").string() +
                                    "]\n  test_pool: " + (dir / "test.jsonl").string() +
                                    "\n  corpus: unused\nsplits:\n  clients: 4\n"
                                    "  shots: [2, 4, 8]\n  dev_size: 20\n  test_size: 40\nstores:\n  rel1_client: 4\n");
  const auto config = load_config<CrabConfig>(dir / "crab.yaml", {});
  const auto splits = make_crab_splits(config);
  CHECK(splits.duplicates_dropped == 1);
  CHECK(splits.overlap_dropped == 1);
  std::set<std::string> seen;
  for (std::size_t c = 0; c < 4; ++c) {
    CHECK(splits.train[c].size() == 8);
    CHECK(splits.dev[c].size() == 5);
    CHECK(splits.test[c].size() == 10);
    for (const auto* split : {&splits.train[c], &splits.dev[c], &splits.test[c]}) {
      for (const auto& qa : *split) CHECK(seen.insert(qa.question).second);  // no question twice anywhere
    }
  }
  CHECK_THAT(splits.test[0][0].id, Catch::StartsWith("test.jsonl:"));
  CHECK(make_crab_splits(config).train[2][1].id == splits.train[2][1].id);  // deterministic

  auto too_big = config;
  too_big.splits.dev_size = 40;
  CHECK_THAT(error_message([&] { make_crab_splits(too_big); }), Catch::Contains("too small") &&
                                                                    Catch::Contains("40 + 4 clients x 8 shots = 72") &&
                                                                    Catch::Contains("12 missing"));
  // 2^62 shots passed the check and crashed the builder (issue 24).
  auto huge = config;
  huge.splits.shots = {"2", "4611686018427387904"};
  const auto problems = huge.check();
  REQUIRE(problems.size() == 1);
  CHECK(problems[0].key == "splits.shots");
  CHECK_THAT(problems[0].message, Catch::Contains("at most 10000000"));
  write_text(dir / "crab.yaml", "splits:\n  shots: [16, 8]\n  dev_size: 7\n");
  CHECK_THAT(error_message([&] { load_config<CrabConfig>(dir / "crab.yaml", {}); }),
             Catch::Contains("splits.shots") && Catch::Contains("splits.dev_size") && Catch::Contains("data.corpus"));
}

TEST_CASE("CRAB config: relative pool and corpus paths resolve against the config file's folder", "[crab][config]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "configs");
  write_text(dir / "configs/crab.yaml",
             "data:\n  train_pool: [a.jsonl, /x/b.jsonl]\n  test_pool: ../t.jsonl\n  corpus: c.tsv\n");
  const auto config = load_config<CrabConfig>(dir / "configs/crab.yaml", {"bm25.run=r.trec"});
  const auto root = std::filesystem::absolute(dir.path());
  CHECK(config.data.train_pool == std::vector<std::string>{(root / "configs/a.jsonl").string(), "/x/b.jsonl"});
  CHECK(config.data.test_pool == (root / "t.jsonl").string());
  CHECK(config.data.corpus == (root / "configs/c.tsv").string());
  CHECK(config.bm25.run == (std::filesystem::current_path() / "r.trec").string());
}
