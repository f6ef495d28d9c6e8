#include "corag/util/json_strict.hpp"
#include "corag/util/jsonl_reader.hpp"
#include "corag/util/passage_reader.hpp"
#include "corag/util/qa_reader.hpp"
#include "corag/util/tsv_reader.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::TempDir;
using corag::test::write_text;

TEST_CASE("JSONL reader streams objects, skips blank lines, names file:line on bad lines", "[util][readers]") {
  TempDir dir;
  const auto path = dir / "x.jsonl";
  write_text(path, "\xEF\xBB\xBF{\"a\": 1}\r\n\n   \n{\"a\": 2}\n{\"a\": oops}\n");
  JsonlReader reader(path);
  nlohmann::json value;
  REQUIRE(reader.next(value));
  CHECK(value["a"] == 1);
  REQUIRE(reader.next(value));
  CHECK(value["a"] == 2);
  CHECK(reader.location() == path.string() + ":4");
  CHECK_THAT(error_message([&] { reader.next(value); }), Catch::StartsWith(path.string() + ":5: invalid JSON"));
}

TEST_CASE("a missing input file is a clear error", "[util][readers]") {
  CHECK_THAT(error_message([] { JsonlReader r("/nonexistent/q.jsonl"); }),
             Catch::Contains("/nonexistent/q.jsonl: cannot open"));
}

TEST_CASE("TSV reader handles csv-style quoting and checks field counts", "[util][readers]") {
  TempDir dir;
  const auto path = dir / "x.tsv";
  write_text(path, "id\ttext\ttitle\n1\t\"say \"\"hi\"\"\tand go\"\tT\n2\tplain \"quote\" inside\t\n3\tonly two\n");
  TsvReader reader(path, true);
  CHECK(reader.header() == std::vector<std::string>{"id", "text", "title"});
  std::vector<std::string> fields;
  REQUIRE(reader.next(fields));
  CHECK(fields == std::vector<std::string>{"1", "say \"hi\"\tand go", "T"});
  REQUIRE(reader.next(fields));
  CHECK(fields == std::vector<std::string>{"2", "plain \"quote\" inside", ""});
  CHECK_THAT(error_message([&] { reader.next(fields); }),
             Catch::Contains(path.string() + ":4: expected 3 tab-separated fields, got 2"));
}

TEST_CASE("TSV reader reads a quoted field that spans lines, as Python's csv writes it", "[util][readers]") {
  TempDir dir;
  // What csv.writer(f, delimiter="\t") writes for a text holding a newline.
  write_text(dir / "x.tsv", "id\ttext\ttitle\n1\t\"line one\nline \"\"two\"\"\n\"\tT\n2\tplain\tU\n");
  TsvReader reader(dir / "x.tsv", true);
  std::vector<std::string> fields;
  REQUIRE(reader.next(fields));
  CHECK(fields == std::vector<std::string>{"1", "line one\nline \"two\"\n", "T"});
  CHECK(reader.location() == (dir / "x.tsv").string() + ":2");
  REQUIRE(reader.next(fields));
  CHECK(fields == std::vector<std::string>{"2", "plain", "U"});
  CHECK(reader.location() == (dir / "x.tsv").string() + ":5");
  CHECK_FALSE(reader.next(fields));
}

TEST_CASE("TSV reader rejects broken quotes", "[util][readers]") {
  TempDir dir;
  write_text(dir / "a.tsv", "a\tb\n\"open\tx\n");
  write_text(dir / "b.tsv", "a\tb\n\"closed\"junk\tx\n");
  std::vector<std::string> fields;
  TsvReader a(dir / "a.tsv", true), b(dir / "b.tsv", true);
  CHECK_THAT(error_message([&] { a.next(fields); }), Catch::Contains(":2: field 1 has an unterminated quote"));
  CHECK_THAT(error_message([&] { b.next(fields); }), Catch::Contains(":2: field 1 has text after its closing quote"));
  // Latin-1 bytes in a passage would otherwise be stored and break the JSON written from it.
  write_text(dir / "c.tsv", "id\ttext\n1\tcaf\xc3\xa9\n2\tcaf\xe9\n");
  TsvReader c(dir / "c.tsv", true);
  CHECK(c.next(fields));
  CHECK_THAT(error_message([&] { c.next(fields); }), Catch::Contains("c.tsv:3: not valid UTF-8 (byte 5 of the row)"));
}

TEST_CASE("QA reader accepts both answer spellings and validates every line", "[util][readers]") {
  TempDir dir;
  const auto path = dir / "qa.jsonl";
  write_text(path,
             "{\"id\": \"q1\", \"question\": \"who?\", \"answers\": [\"Ann\", \"Anna\"]}\n"
             "{\"question\": \"when?\", \"answer\": [\"1972\"], \"extra\": 1}\n"
             "{\"id\": 17, \"question\": \"where?\", \"answers\": [\"here\"]}\n");
  const auto records = read_qa_file(path);
  REQUIRE(records.size() == 3);
  CHECK(records[0].id == "q1");
  CHECK(records[0].answers == std::vector<std::string>{"Ann", "Anna"});
  CHECK(records[1].id.empty());
  CHECK(records[1].question == "when?");
  CHECK(records[1].answers == std::vector<std::string>{"1972"});
  CHECK(records[2].id == "17");

  const auto bad = [&](const std::string& line) {
    write_text(dir / "bad.jsonl", "{\"question\": \"ok\", \"answers\": [\"a\"]}\n" + line + "\n");
    return error_message([&] { read_qa_file(dir / "bad.jsonl"); });
  };
  const std::string at = (dir / "bad.jsonl").string() + ":2: ";
  CHECK(bad(R"({"question": "q"})") == at + "missing 'answers' (or NQ-open 'answer')");
  CHECK(bad(R"({"question": "q", "answers": []})") == at + "'answers' is empty");
  CHECK(bad(R"({"question": " ", "answers": ["a"]})") == at + "'question' is empty");
  CHECK(bad(R"({"answers": ["a"]})") == at + "missing 'question'");
  CHECK(bad(R"({"question": "q", "answers": "a"})") == at + "'answers' must be a list of strings");
  CHECK(bad(R"({"question": "q", "answers": ["a", 3]})") == at + "'answers' must hold non-empty strings, got 3");
  CHECK(bad(R"({"question": "q", "answers": ["a"], "answer": ["b"]})") == at + "has both 'answers' and 'answer'");
  CHECK(bad(R"(["q"])") == at + "expected a JSON object, got array");
  CHECK(bad(R"({"id": 1.5, "question": "q", "answers": ["a"]})") ==
        at + "'id' must be a non-empty string or an integer, got 1.5");

  write_text(dir / "gen.jsonl", "{\"question\": \"q\"}\n");
  CHECK(read_qa_file(dir / "gen.jsonl", AnswersPolicy::optional).front().answers.empty());
}

TEST_CASE("QA reader reads the real NQ-open files (the tests' sample of them)", "[util][readers]") {
  const std::filesystem::path nq = CORAG_NQ_OPEN_DIR;
  const auto dev = read_qa_file(nq / "NQ-open.dev.jsonl");
  REQUIRE(dev.size() == 1000);
  CHECK(dev.front().question == "when was the last time anyone was on the moon");
  CHECK(dev.front().answers == std::vector<std::string>{"14 December 1972 UTC", "December 1972"});
  CHECK(read_qa_file(nq / "NQ-open.efficientqa.dev.1.1.jsonl").size() == 600);
  CHECK(read_qa_file(nq / "NQ-open.efficientqa.test.1.1.jsonl").size() == 300);
}

TEST_CASE("passage reader reads JSONL and DPR TSV corpora", "[util][readers]") {
  TempDir dir;
  write_text(dir / "c.jsonl",
             "{\"id\": 1, \"title\": \"Aaron\", \"text\": \"Aaron is a prophet.\"}\n"
             "{\"id\": \"p2\", \"text\": \"No title here.\"}\n");
  write_text(dir / "psgs.tsv", "id\ttext\ttitle\n1\t\"Aaron is a \"\"prophet\"\".\"\tAaron\n");
  write_text(dir / "noext", "{\"id\": \"x\", \"title\": \"\", \"text\": \"t\"}\n");

  Passage passage;
  PassageReader jsonl(dir / "c.jsonl");
  CHECK(jsonl.format() == CorpusFormat::jsonl);
  REQUIRE(jsonl.next(passage));
  CHECK((passage.id == "1" && passage.title == "Aaron" && passage.text == "Aaron is a prophet."));
  REQUIRE(jsonl.next(passage));
  CHECK((passage.id == "p2" && passage.title.empty()));
  CHECK_FALSE(jsonl.next(passage));

  // Pyserini's JsonCollection: `contents` of two lines is title and text (pyserini.encode
  // --fields title text), of one line the text; mixing the two formats in a line is refused.
  write_text(dir / "pyserini.jsonl",
             "{\"id\": \"doc1\", \"contents\": \"Aaron\\nAaron is a prophet.\\n\"}\n"
             "{\"id\": 7, \"contents\": \"No title here.\"}\n"
             "{\"id\": \"x\", \"contents\": \"T\\nbody\", \"text\": \"other\"}\n");
  PassageReader pyserini(dir / "pyserini.jsonl");
  REQUIRE(pyserini.next(passage));
  CHECK((passage.id == "doc1" && passage.title == "Aaron" && passage.text == "Aaron is a prophet."));
  REQUIRE(pyserini.next(passage));
  CHECK((passage.id == "7" && passage.title.empty() && passage.text == "No title here."));
  CHECK_THAT(error_message([&] { pyserini.next(passage); }),
             Catch::Contains("pyserini.jsonl:3: has both Pyserini's 'contents' and 'text'"));

  PassageReader tsv(dir / "psgs.tsv");
  CHECK(tsv.format() == CorpusFormat::dpr_tsv);
  REQUIRE(tsv.next(passage));
  CHECK((passage.id == "1" && passage.title == "Aaron" && passage.text == "Aaron is a \"prophet\"."));
  CHECK(detect_corpus_format(dir / "noext") == CorpusFormat::jsonl);

  write_text(dir / "bad.tsv", "id\ttitle\ttext\n");
  CHECK_THAT(error_message([&] { PassageReader r(dir / "bad.tsv"); }),
             Catch::Contains("bad.tsv:1: a DPR TSV corpus starts with the header"));
  write_text(dir / "bad.jsonl", "{\"title\": \"t\", \"text\": \"x\"}\n");
  PassageReader missing_id(dir / "bad.jsonl");
  CHECK_THAT(error_message([&] { missing_id.next(passage); }), Catch::Contains("bad.jsonl:1: missing 'id'"));
}

TEST_CASE("JSON nested deeper than kMaxJsonDepth is refused while parsing, in files and JSONL lines",
          "[util][readers]") {
  const auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(parse_json_strict(nested(kMaxJsonDepth), "ok.json").is_array());
  CHECK_THAT(error_message([&] { parse_json_strict(nested(kMaxJsonDepth + 1), "deep.json"); }),
             Catch::StartsWith("deep.json: JSON nested deeper than 256 levels"));
  // 150,000 levels overflowed the stack when the parsed value was copied (issue 24).
  TempDir dir;
  const auto path = dir / "qa.jsonl";
  write_text(path, "{\"id\": \"q1\", \"answers\": [\"a\"]}\n{\"id\": \"q2\", \"answers\": " + nested(150000) + "}\n" +
                       "{\"id\": \"q3\", \"id\": \"q4\"}\n");
  JsonlReader reader(path);
  nlohmann::json value;
  REQUIRE(reader.next(value));
  CHECK_THAT(error_message([&] { reader.next(value); }),
             Catch::StartsWith(path.string() + ":2: JSON nested deeper than 256 levels"));
  // JSONL lines are parsed as strictly as JSON files: a repeated key is refused.
  CHECK_THAT(error_message([&] { reader.next(value); }), Catch::Contains(":3: duplicate key 'id'"));
}

TEST_CASE("a misspelt key of a QA or corpus line is refused, a file's own metadata passes", "[util][readers]") {
  TempDir dir;
  write_text(dir / "qa.jsonl", R"({"question": "who?", "anwsers": ["x"]})"
                               "\n");
  CHECK_THAT(error_message([&] { read_qa_file(dir / "qa.jsonl", AnswersPolicy::optional); }),
             Catch::Contains("qa.jsonl:1: unknown key 'anwsers' (did you mean 'answers'?)"));
  write_text(dir / "efficientqa.jsonl",
             R"({"question": "who?", "answer": ["x"], "def_correct_predictions": ["x"], "url": "u"})"
             "\n");
  CHECK(read_qa_file(dir / "efficientqa.jsonl").size() == 1);
  write_text(dir / "corpus.jsonl", R"({"id": "p1", "tittle": "T", "text": "body"})"
                                   "\n");
  PassageReader corpus(dir / "corpus.jsonl");
  Passage passage;
  CHECK_THAT(error_message([&] { corpus.next(passage); }),
             Catch::Contains("corpus.jsonl:1: unknown key 'tittle' (did you mean 'title'?)"));
  write_text(dir / "sections.jsonl", R"({"id": "p1", "title": "T", "section": "History", "text": "body"})"
                                     "\n");
  PassageReader sections(dir / "sections.jsonl");
  CHECK(sections.next(passage));
  CHECK(passage.title == "T");
}
