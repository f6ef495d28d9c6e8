// `corag bm25 build|search`, `corag index build|compose` and `corag retrieve` as a user runs them.
#include <sstream>

#include <nlohmann/json.hpp>

#include "model_fixtures.hpp"
#include "test_support.hpp"

using corag::test::read_jsonl;
using corag::test::read_text;
using corag::test::run_command;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

const std::string& corag_cli = corag::test::quiet_corag_cli;

const char* kCorpus = R"({"id": "p0", "title": "Paris", "text": "Paris is the capital of France."})"
                      "\n"
                      R"({"id": "p1", "title": "Lyon", "text": "Lyon is a city in France"})"
                      "\n"
                      R"({"id": "p2", "title": "Berlin", "text": "Berlin capital city"})"
                      "\n"
                      R"({"id": "p3", "title": "Book", "text": "who wrote the book"})"
                      "\n";

}  // namespace

TEST_CASE("corag bm25 build and search write reader input and TREC runs", "[e2e][store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", kCorpus);
  write_text(dir / "q.jsonl", R"({"id": "q1", "question": "capital of France", "answers": ["Paris"]})"
                              "\n"
                              R"({"question": "who wrote it"})"
                              "\n");
  REQUIRE(run_command(dir, corag_cli + " bm25 build --passages " + (dir / "corpus.jsonl").string() + " --out " +
                               (dir / "bm25").string())
              .exit_code == 0);
  REQUIRE(run_command(dir, corag_cli + " bm25 search --index " + (dir / "bm25").string() + " --queries " +
                               (dir / "q.jsonl").string() + " --top-k 2 --out " + (dir / "hits.jsonl").string())
              .exit_code == 0);
  const auto hits = read_jsonl(dir / "hits.jsonl");
  REQUIRE(hits.size() == 2);
  CHECK(hits[0]["id"] == "q1");
  CHECK(hits[0]["answers"] == nlohmann::json::array({"Paris"}));
  REQUIRE(hits[0]["passages"].size() == 2);
  CHECK(hits[0]["passages"][0]["id"] == "p0");
  CHECK(hits[0]["passages"][0]["title"] == "Paris");
  CHECK(hits[0]["passages"][0]["score"].get<double>() > hits[0]["passages"][1]["score"].get<double>());
  CHECK(hits[1]["passages"][0]["id"] == "p3");
  CHECK(!hits[1].contains("answers"));

  REQUIRE(run_command(dir, corag_cli + " bm25 search --format trec --index " + (dir / "bm25").string() + " --queries " +
                               (dir / "q.jsonl").string() + " --top-k 1 --out " + (dir / "run.trec").string())
              .exit_code == 0);
  CHECK_THAT(read_text(dir / "run.trec"), Catch::StartsWith("q1 Q0 p0 1 ") && Catch::Contains("\n2 Q0 p3 1 "));

  // --out naming the queries file would replace it (issue 24): refused, the queries kept.
  const auto queries = read_text(dir / "q.jsonl");
  const auto onto_input =
      run_command(dir, corag_cli + " bm25 search --index " + (dir / "bm25").string() + " --queries " +
                           (dir / "q.jsonl").string() + " --out " + (dir / "q.jsonl").string());
  CHECK(onto_input.exit_code == 1);
  CHECK_THAT(onto_input.err, Catch::Contains("is the input file"));
  CHECK(read_text(dir / "q.jsonl") == queries);
}

TEST_CASE("corag index build, compose and retrieve, a foreign retriever is refused", "[e2e][store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", kCorpus);
  write_text(dir / "bert.json", corag::test::tiny_bert_config_json());
  for (const auto* name : {"bert", "other"}) {
    REQUIRE(run_command(dir, corag_cli + " model init --arch bert --config " + (dir / "bert.json").string() +
                                 " --tokenizer " + corag::test::tiny_vocab_file().string() + " --out " +
                                 (dir / name).string() + " --seed " + (std::string(name) == "bert" ? "1" : "2"))
                .exit_code == 0);
  }
  const auto build = run_command(dir, corag_cli + " index build --retriever " + (dir / "bert").string() +
                                          " --passages " + (dir / "corpus.jsonl").string() + " --out " +
                                          (dir / "store").string() + " --chunk-rows 3 --dtype float16");
  REQUIRE(build.exit_code == 0);
  const auto meta = nlohmann::json::parse(read_text(dir / "store/meta.json"));
  CHECK(meta["count"] == 4);
  CHECK(meta["dim"] == 32);
  CHECK(meta["dtype"] == "float16");
  CHECK(meta["index"] == "Flat");
  CHECK(meta["fingerprint"].get<std::string>().size() == 16);

  // A BM25 build into the store would replace the passage table under its embeddings: refused.
  write_text(dir / "other.jsonl", R"({"id": "x", "title": "X", "text": "another corpus"})"
                                  "\n");
  const auto passages = read_text(dir / "store/passages.bin");
  const auto bm25_onto_store = run_command(dir, corag_cli + " bm25 build --passages " + (dir / "other.jsonl").string() +
                                                    " --out " + (dir / "store").string());
  CHECK(bm25_onto_store.exit_code == 1);
  CHECK_THAT(bm25_onto_store.err, Catch::Contains("holds a dense store"));
  CHECK(read_text(dir / "store/passages.bin") == passages);

  write_text(dir / "ids.txt", "p3\np1\n");
  REQUIRE(run_command(dir, corag_cli + " index compose --from " + (dir / "store").string() + " --ids " +
                               (dir / "ids.txt").string() + " --out " + (dir / "sub").string())
              .exit_code == 0);
  write_text(dir / "q.jsonl", R"({"question": "who wrote the book", "answers": ["x"]})"
                              "\n");
  REQUIRE(run_command(dir, corag_cli + " retrieve --store " + (dir / "sub").string() + " --retriever " +
                               (dir / "bert").string() + " --queries " + (dir / "q.jsonl").string() +
                               " --top-k 5 --out " + (dir / "r.jsonl").string())
              .exit_code == 0);
  const auto retrieved = read_jsonl(dir / "r.jsonl");
  REQUIRE(retrieved.size() == 1);
  REQUIRE(retrieved[0]["passages"].size() == 2);  // the composed store holds two passages
  for (const auto& passage : retrieved[0]["passages"]) CHECK((passage["id"] == "p3" || passage["id"] == "p1"));
  // Beside each index.faiss, the passage id of index row i on line i (Pyserini's `docid`).
  CHECK(read_text(dir / "store/docid") == "p0\np1\np2\np3\n");
  CHECK(read_text(dir / "sub/docid") == "p1\np3\n");
  // The same hits as a TREC run (qid: the line number of a question without id), and their answer
  // recall@k: neither passage of the composed store holds the answer "x".
  REQUIRE(run_command(dir, corag_cli + " retrieve --store " + (dir / "sub").string() + " --retriever " +
                               (dir / "bert").string() + " --queries " + (dir / "q.jsonl").string() +
                               " --top-k 5 --format trec --tag mine --out " + (dir / "r.trec").string())
              .exit_code == 0);
  std::istringstream trec(read_text(dir / "r.trec"));
  for (int rank = 1; rank <= 2; ++rank) {
    std::string qid, q0, docid, tag;
    int line_rank = 0;
    double score = 0;
    trec >> qid >> q0 >> docid >> line_rank >> score >> tag;
    CHECK((qid == "1" && q0 == "Q0" && line_rank == rank && tag == "mine"));
    CHECK(docid == retrieved[0]["passages"][rank - 1]["id"]);
    CHECK(score == Approx(retrieved[0]["passages"][rank - 1]["score"].get<double>()).margin(1e-6));  // 6 decimals
  }
  const auto recall =
      run_command(dir, corag_cli + " eval --retrieval " + (dir / "r.jsonl").string() + " --recall-at 1,2 --json");
  REQUIRE(recall.exit_code == 0);
  CHECK(nlohmann::json::parse(recall.out) == nlohmann::json{{"n", 1}, {"recall@1", 0.0}, {"recall@2", 0.0}});
  // --out naming the queries file would replace it: refused, the queries kept.
  const auto onto_input = run_command(dir, corag_cli + " retrieve --store " + (dir / "sub").string() + " --retriever " +
                                               (dir / "bert").string() + " --queries " + (dir / "q.jsonl").string() +
                                               " --out " + (dir / "q.jsonl").string());
  CHECK(onto_input.exit_code == 1);
  CHECK_THAT(onto_input.err, Catch::Contains("is the input file"));
  CHECK(read_jsonl(dir / "q.jsonl").size() == 1);

  const auto refused = run_command(dir, corag_cli + " retrieve --store " + (dir / "store").string() + " --retriever " +
                                            (dir / "other").string() + " --queries " + (dir / "q.jsonl").string() +
                                            " --out " + (dir / "x.jsonl").string());
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err,
             Catch::Contains("passage encoder") && Catch::Contains(meta["fingerprint"].get<std::string>()));
  CHECK(!std::filesystem::exists(dir / "x.jsonl"));
}
