// Passage table, analyzer, BM25 and TREC runs. BM25 expectations are worked out by hand from the
// formula (see the comments), not produced by the code under test.
#include <cmath>
#include <cstring>

#include <nlohmann/json.hpp>

#include "corag/store/bm25_index.hpp"
#include "corag/store/passage_table.hpp"
#include "corag/store/text_analyzer.hpp"
#include "corag/store/trec_run.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::TempDir;
using corag::test::write_text;
using Strings = std::vector<std::string>;

namespace {

const char* kCorpus = R"({"id": "p0", "title": "Paris", "text": "Paris is the capital of France."})"
                      "\n"
                      R"({"id": "p1", "title": "Lyon", "text": "Lyon is a city in France"})"
                      "\n"
                      R"({"id": "p2", "title": "Berlin", "text": "Berlin capital city"})"
                      "\n"
                      R"({"id": 3, "title": "Capital", "text": "capital, CAPITAL"})"
                      "\n";

}  // namespace

TEST_CASE("passage table: build from JSONL or DPR TSV, rows, lookups by id", "[store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", kCorpus);
  CHECK(PassageTable::build(dir / "corpus.jsonl", dir / "table") == 4);
  const PassageTable table(dir / "table");
  REQUIRE(table.size() == 4);
  CHECK(table.at(0).id == "p0");
  CHECK(table.at(0).title == "Paris");
  CHECK(table.at(0).text == "Paris is the capital of France.");
  CHECK(table.at(3).id == "3");
  CHECK(table.find("p2") == std::optional<std::size_t>(2));
  CHECK(table.find("3") == std::optional<std::size_t>(3));
  CHECK_FALSE(table.find("p9").has_value());
  CHECK_THAT(error_message([&] { table.at(4); }), Catch::Contains("row 4"));

  write_text(dir / "psgs.tsv", "id\ttext\ttitle\n1\t\"Aaron, a prophet\"\tAaron\n2\tMoses' brother\tAaron\n");
  PassageTable::build(dir / "psgs.tsv", dir / "tsv");
  const PassageTable tsv(dir / "tsv");
  CHECK(tsv.at(0).text == "Aaron, a prophet");
  CHECK(tsv.at(1).title == "Aaron");
  CHECK(tsv.find("2") == std::optional<std::size_t>(1));
}

TEST_CASE("passage table: duplicate ids and damaged files are errors", "[store]") {
  TempDir dir;
  write_text(dir / "empty.jsonl", "\n");
  CHECK_THAT(error_message([&] { PassageTable::build(dir / "empty.jsonl", dir / "empty"); }),
             Catch::Contains("empty.jsonl: holds no passages"));
  write_text(dir / "dup.jsonl", R"({"id": "a", "text": "x"})"
                                "\n"
                                R"({"id": "b", "text": "y"})"
                                "\n"
                                R"({"id": "a", "text": "z"})"
                                "\n");
  CHECK_THAT(error_message([&] { PassageTable::build(dir / "dup.jsonl", dir / "dup"); }),
             Catch::Contains("dup.jsonl") && Catch::Contains("'a'") && Catch::Contains("rows 1 and 3"));

  write_text(dir / "corpus.jsonl", kCorpus);
  PassageTable::build(dir / "corpus.jsonl", dir / "table");
  {  // a byte of a text damaged in place: the offsets still agree, the text is no longer UTF-8
    auto records = test::read_text(dir / "table/passages.bin");
    const auto at = records.find("Paris");
    REQUIRE(at != std::string::npos);
    records[at] = '\xff';
    write_text(dir / "table/passages.bin", records);
    const PassageTable table(dir / "table");
    CHECK_THAT(error_message([&] { table.at(0); }),
               Catch::Contains("passages.bin: passage row 0: its title is not valid UTF-8 (byte 0)"));
  }
  std::filesystem::resize_file(dir / "table/passages.bin", std::filesystem::file_size(dir / "table/passages.bin") - 3);
  CHECK_THAT(error_message([&] { PassageTable table(dir / "table"); }), Catch::Contains("passages.offsets"));
  write_text(dir / "table/passages.offsets", "garbage");
  CHECK_THAT(error_message([&] { PassageTable table(dir / "table"); }),
             Catch::Contains("passages.offsets") && Catch::Contains("not a corag passage table"));
  std::filesystem::remove(dir / "table/passages.by_id");
  CHECK_THAT(error_message([&] { PassageTable table(dir / "table"); }), Catch::Contains("passages.by_id"));
}

TEST_CASE("BM25 analyzer: Unicode split, lower case, stop words, Snowball stems", "[store]") {
  TextAnalyzer plain({true, true, false});
  CHECK(plain.terms("The CAPITAL of Île-de-France, 2024!") == Strings{"capital", "île", "de", "france", "2024"});
  CHECK(plain.terms("it's a don't") == Strings{"s", "don", "t"});
  TextAnalyzer stemming;
  CHECK(stemming.terms("running runs cities knightly consigned") == Strings{"run", "run", "citi", "knight", "consign"});
  TextAnalyzer everything({false, false, false});
  CHECK(everything.terms("The Cat") == Strings{"The", "Cat"});
}

TEST_CASE("BM25 scores equal a hand computation, ties go to the lower row", "[store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", kCorpus);
  PassageTable::build(dir / "corpus.jsonl", dir / "index");
  const PassageTable table(dir / "index");
  Bm25Options options;
  options.analyzer.stem = false;
  Bm25Index::build(table, dir / "index", options, 2);
  const Bm25Index index(dir / "index");
  // Analysed (title + text): p0 paris paris capital france | p1 lyon lyon city france |
  // p2 berlin berlin capital city | p3 capital capital capital. N = 4, avgdl = 15/4.
  CHECK(index.size() == 4);
  CHECK(index.average_length() == Approx(3.75));
  CHECK(index.document_frequency("capital") == 3);
  CHECK(index.document_frequency("france") == 2);
  CHECK(index.document_frequency("the") == 0);
  // idf(capital) = ln(1 + 1.5/3.5) = 0.356675, idf(france) = ln(2) = 0.693147;
  // k1(1 - b + b dl/avgdl) = 0.924 for dl 4 and 0.828 for dl 3 (k1 0.9, b 0.4).
  // p0: 0.356675*1.9/1.924 + 0.693147*1.9/1.924 = 0.352226 + 0.684501 = 1.036727
  // p1: 0.684501; p3: 0.356675*3*1.9/3.828 = 0.531099; p2: 0.352226
  const auto hits = index.search({"capital of France", "nothing matches", "LYON Berlin"}, 10, 2);
  REQUIRE(hits[0].size() == 4);
  const std::vector<std::size_t> rows{0, 1, 3, 2};
  const std::vector<double> scores{1.036727, 0.684501, 0.531099, 0.352226};
  for (std::size_t i = 0; i < 4; ++i) {
    CHECK(hits[0][i].row == rows[i]);
    CHECK(hits[0][i].score == Approx(scores[i]).epsilon(1e-5));
  }
  CHECK(hits[1].empty());
  // lyon (p1, tf 2) and berlin (p2, tf 2) have the same df and dl: equal scores, lower row first.
  REQUIRE(hits[2].size() == 2);
  CHECK(hits[2][0].score == hits[2][1].score);
  CHECK(hits[2][0].row == 1);
  CHECK(index.search({"capital of France"}, 2, 1)[0].size() == 2);

  // A one-thread build writes the same files.
  Bm25Index::build(table, dir / "single", options, 1);
  CHECK(test::read_text(dir / "single/bm25.postings") == test::read_text(dir / "index/bm25.postings"));
  CHECK(test::read_text(dir / "single/bm25.terms") == test::read_text(dir / "index/bm25.terms"));

  std::filesystem::resize_file(dir / "index/bm25.postings", 8);
  CHECK_THAT(error_message([&] { Bm25Index broken(dir / "index"); }), Catch::Contains("bm25.postings"));
}

TEST_CASE("BM25: a damaged index is refused at open, never read out of bounds", "[store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", kCorpus);
  PassageTable::build(dir / "corpus.jsonl", dir / "index");
  Bm25Options options;
  options.analyzer.stem = false;
  Bm25Index::build(PassageTable(dir / "index"), dir / "index", options, 1);
  const auto postings = test::read_text(dir / "index/bm25.postings");
  const auto terms = test::read_text(dir / "index/bm25.terms");
  const auto restore = [&] {
    write_text(dir / "index/bm25.postings", postings);
    write_text(dir / "index/bm25.terms", terms);
  };

  // Row 300 of 4 passages, inside the postings buffer: it was a write past the per-row scores.
  auto damaged = postings;
  const std::uint32_t row = 300;
  std::memcpy(damaged.data(), &row, 4);
  write_text(dir / "index/bm25.postings", damaged);
  CHECK_THAT(error_message([&] { Bm25Index broken(dir / "index"); }),
             Catch::Contains("bm25.postings") && Catch::Contains("row 300"));
  restore();

  // The first term's offset (after the u64 count, its u32 length and its bytes) set far past the end.
  damaged = terms;
  std::uint32_t length = 0;
  std::memcpy(&length, damaged.data() + 8, 4);
  const std::uint64_t offset = std::uint64_t{1} << 62;
  std::memcpy(damaged.data() + 12 + length, &offset, 8);
  write_text(dir / "index/bm25.terms", damaged);
  CHECK_THAT(error_message([&] { Bm25Index broken(dir / "index"); }),
             Catch::Contains("bm25.terms") && Catch::Contains("outside the postings"));
  restore();

  // A length or a term count changed to another value in range: the lengths no longer sum what
  // the postings count, nor average to bm25.json's average_length.
  const auto lengths = test::read_text(dir / "index/bm25.doclens");
  auto longer = lengths;
  ++longer[0];
  write_text(dir / "index/bm25.doclens", longer);
  CHECK_THAT(error_message([&] { Bm25Index broken(dir / "index"); }),
             Catch::Contains("bm25.doclens: passage row 0 has length") && Catch::Contains("one of these files"));
  write_text(dir / "index/bm25.doclens", lengths);
  damaged = postings;
  ++damaged[4];  // the first posting's tf
  write_text(dir / "index/bm25.postings", damaged);
  CHECK_THAT(error_message([&] { Bm25Index broken(dir / "index"); }), Catch::Contains("count"));
  restore();
  const auto meta_text = test::read_text(dir / "index/bm25.json");
  auto shifted = nlohmann::json::parse(meta_text);
  shifted["average_length"] = shifted["average_length"].get<double>() + 0.25;
  write_text(dir / "index/bm25.json", shifted.dump());
  CHECK_THAT(error_message([&] { Bm25Index broken(dir / "index"); }),
             Catch::Contains("bm25.json: average_length") && Catch::Contains("is not the mean of bm25.doclens"));
  write_text(dir / "index/bm25.json", meta_text);

  // bm25.json read through the typed reader: a wrong type or a missing key names the file and key.
  const auto meta = test::read_text(dir / "index/bm25.json");
  auto edited = nlohmann::json::parse(meta);
  edited["k1"] = "0.9";
  write_text(dir / "index/bm25.json", edited.dump());
  CHECK_THAT(error_message([&] { Bm25Index broken(dir / "index"); }),
             Catch::Contains("bm25.json: 'k1' must be a finite number, got \"0.9\""));
  edited.erase("k1");
  write_text(dir / "index/bm25.json", edited.dump());
  CHECK_THAT(error_message([&] { Bm25Index broken(dir / "index"); }), Catch::Contains("bm25.json: missing 'k1'"));
  write_text(dir / "index/bm25.json", meta);

  // Every single-byte change of either file opens cleanly or is refused: a search over what opens
  // returns rows of the table only.
  for (const auto* name : {"bm25.terms", "bm25.postings"}) {
    const auto original = name == std::string("bm25.terms") ? terms : postings;
    std::size_t refused = 0;
    for (std::size_t at = 0; at < original.size(); ++at) {
      auto mutated = original;
      mutated[at] = static_cast<char>(mutated[at] ^ 0x5a);
      write_text(dir / "index" / name, mutated);
      try {
        const Bm25Index index(dir / "index");
        const auto hits = index.search({"capital of France lyon berlin paris city"}, 10, 1);
        for (const auto& hit : hits[0]) CHECK(hit.row < 4);
      } catch (const Error& e) {
        CHECK_THAT(std::string(e.what()), Catch::Contains(name));
        ++refused;
      }
    }
    CHECK(refused > 0);
    restore();
  }
}

TEST_CASE("TREC runs: written and read back, unknown passages are errors", "[store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", kCorpus);
  PassageTable::build(dir / "corpus.jsonl", dir / "table");
  const PassageTable table(dir / "table");
  std::ostringstream out;
  write_trec_hits(out, "q1", {{2, 1.5f}, {0, 0.25f}}, table, "run");
  CHECK(out.str() == "q1 Q0 p2 1 1.500000 run\nq1 Q0 p0 2 0.250000 run\n");
  write_text(dir / "run.trec", "q2 Q0 3 2 0.5 bm25\nq2 Q0 p1 1 0.7 bm25\n" + out.str());
  const auto run = read_trec_run(dir / "run.trec", table);
  REQUIRE(run.size() == 2);
  REQUIRE(run.at("q2").size() == 2);
  CHECK(run.at("q2")[0].row == 1);
  CHECK(run.at("q2")[1].row == 3);
  CHECK(run.at("q1")[0].row == 2);
  write_text(dir / "twice.trec", "q1 Q0 p0 1 0.5 x\nq1 Q0 p1 2 0.4 x\nq1 Q0 p0 3 0.3 x\n");
  CHECK_THAT(error_message([&] { read_trec_run(dir / "twice.trec", table); }),
             Catch::Contains("twice.trec:3: query 'q1' lists passage 'p0' a second time"));
  write_text(dir / "bad.trec", "q1 Q0 p0 1 0.5 x\nq1 Q0 nope 2 0.4 x\n");
  CHECK_THAT(error_message([&] { read_trec_run(dir / "bad.trec", table); }),
             Catch::Contains("bad.trec:2") && Catch::Contains("'nope'"));
}
