// Expected tokens follow HF's BertTokenizer / T5Tokenizer rules worked out by hand; SentencePiece
// pieces come from SentencePiece's own processor (through the plugin, unmodified) as the reference.
#include "corag/text/basic_tokenizer.hpp"
#include "corag/text/sentencepiece_model.hpp"
#include "corag/text/t5_tokenizer.hpp"
#include "corag/text/wordpiece_tokenizer.hpp"
#include "model_fixtures.hpp"
#include "test_support.hpp"

using corag::BasicTokenizer;
using corag::BasicTokenizerOptions;
using corag::T5Tokenizer;
using corag::WordPieceTokenizer;
using corag::test::error_message;
using corag::test::TempDir;
using corag::test::write_text;
using Strings = std::vector<std::string>;

TEST_CASE("BERT basic tokenizer: case, accents, punctuation, CJK, control and space characters", "[text]") {
  const BasicTokenizer uncased;
  CHECK(uncased.tokenize("Hello, World!") == Strings{"hello", ",", "world", "!"});
  CHECK(uncased.tokenize("  Héllo\tWORLD\n") == Strings{"hello", "world"});
  CHECK(uncased.tokenize("naïve café") == Strings{"naive", "cafe"});
  CHECK(uncased.tokenize("don't") == Strings{"don", "'", "t"});
  CHECK(uncased.tokenize("$5.00") == Strings{"$", "5", ".", "00"});
  CHECK(uncased.tokenize("\xC2\xBFQu\xC3\xA9?") == Strings{"\xC2\xBF", "que", "?"});  // ¿Qué?
  CHECK(uncased.tokenize("\xE4\xB8\xAD\xE6\x96\x87"
                         "abc") == Strings{"\xE4\xB8\xAD", "\xE6\x96\x87", "abc"});  // 中文abc
  CHECK(uncased.tokenize("a\x01"
                         "b\x7f"
                         "c") == Strings{"abc"});  // control chars dropped
  CHECK(uncased.tokenize("a\xE2\x80\x8B"
                         "b") == Strings{"ab"});                                  // U+200B (Cf) dropped
  CHECK(uncased.tokenize("x\xC2\xA0y") == Strings{"x", "y"});                     // NBSP is a space
  CHECK(uncased.tokenize("x\xE2\x80\xA8y") == Strings{"x", "y"});                 // U+2028 splits
  CHECK(uncased.tokenize("\xCE\x9F\xCE\x94\xCE\x9F\xCE\xA3 \xCE\xA3\xCE\x91") ==  // ΟΔΟΣ ΣΑ
        Strings{"\xCE\xBF\xCE\xB4\xCE\xBF\xCF\x82", "\xCF\x83\xCE\xB1"});         // οδος σα (final ς)
  CHECK(uncased.tokenize("e\xCC\x81t\xC3\xA9") == Strings{"ete"});                // combining and precomposed
  CHECK(uncased.tokenize("bad\xFF"
                         "byte") == Strings{"badbyte"});  // invalid UTF-8 dropped
  CHECK(uncased.tokenize("").empty());

  const BasicTokenizer cased(BasicTokenizerOptions{false, false, true});
  CHECK(cased.tokenize("Héllo, World") == Strings{"Héllo", ",", "World"});
}

TEST_CASE("WordPiece: greedy longest match, unknown words, special tokens and truncation", "[text]") {
  const auto tokenizer = WordPieceTokenizer::from_vocab_file(corag::test::tiny_vocab_file(), {});
  CHECK(tokenizer.tokenize("unaffable") == Strings{"un", "##aff", "##able"});
  CHECK(tokenizer.tokenize("Wanted running, the books") ==
        Strings{"want", "##ed", "runn", "##ing", ",", "the", "book", "##s"});
  CHECK(tokenizer.tokenize("unwanted xyz") == Strings{"[UNK]", "[UNK]"});
  CHECK(tokenizer.tokenize(std::string(101, 'a')) == Strings{"[UNK]"});
  CHECK(tokenizer.tokenize("aa") == Strings{"[UNK]"});  // no "##a": the whole word is unknown

  CHECK(tokenizer.encode("unaffable, the", 512) == std::vector<std::int64_t>{2, 5, 6, 7, 10, 13, 3});
  CHECK(tokenizer.encode("unaffable, the", 4) == std::vector<std::int64_t>{2, 5, 6, 3});
  CHECK(tokenizer.encode("", 8) == std::vector<std::int64_t>{2, 3});
  CHECK(tokenizer.pad_id() == 0);
  CHECK(tokenizer.unk_id() == 1);
}

TEST_CASE("WordPiece: tokenizer_config.json and vocabulary errors", "[text]") {
  TempDir dir;
  write_text(dir / "vocab.txt", "[PAD]\n[UNK]\n[CLS]\n[SEP]\nParis\nparis\n");
  CHECK(WordPieceTokenizer::from_directory(dir.path()).tokenize("Paris") == Strings{"paris"});
  write_text(dir / "tokenizer_config.json", R"({"do_lower_case": false, "model_max_length": 512})");
  const auto cased = WordPieceTokenizer::from_directory(dir.path());
  CHECK(cased.tokenize("Paris") == Strings{"Paris"});

  TempDir saved;
  cased.save(saved.path());
  CHECK(WordPieceTokenizer::from_directory(saved.path()).tokenize("Paris paris") == Strings{"Paris", "paris"});

  write_text(dir / "tokenizer_config.json", R"({"do_lower_case": "yes"})");
  CHECK_THAT(error_message([&] { WordPieceTokenizer::from_directory(dir.path()); }),
             Catch::Contains("tokenizer_config.json") && Catch::Contains("do_lower_case"));
  write_text(dir / "vocab.txt", "[PAD]\n[UNK]\n[SEP]\n");
  std::filesystem::remove(dir / "tokenizer_config.json");
  CHECK_THAT(error_message([&] { WordPieceTokenizer::from_directory(dir.path()); }),
             Catch::Contains("vocab.txt") && Catch::Contains("[CLS]"));
  TempDir empty;
  CHECK_THAT(error_message([&] { WordPieceTokenizer::from_directory(empty.path()); }), Catch::Contains("vocab.txt"));
}

namespace {

std::vector<std::int64_t> pieces(const corag::SentencePieceModel& sp, const std::string& text) {
  const auto ids = sp.encode(text);
  return std::vector<std::int64_t>(ids.begin(), ids.end());
}

std::vector<std::int64_t> join(std::initializer_list<std::vector<std::int64_t>> parts) {
  std::vector<std::int64_t> all;
  for (const auto& part : parts) all.insert(all.end(), part.begin(), part.end());
  return all;
}

}  // namespace

TEST_CASE("T5 tokenizer: sentinels, </s>, whitespace around sentinels, truncation", "[text]") {
  const T5Tokenizer tokenizer(corag::test::tiny_spiece_model());
  const corag::SentencePieceModel sp(corag::test::tiny_spiece_model());
  const std::int64_t size = sp.piece_size();
  REQUIRE(size == 256);
  CHECK(tokenizer.vocab_size() == 356);
  CHECK(tokenizer.sentinel_id(0) == 355);  // piece_size + 99, like 32099 for T5
  CHECK(tokenizer.sentinel_id(99) == 256);
  const std::int64_t s0 = 355, s1 = 354, eos = 1;

  CHECK(tokenizer.encode("who wrote the book?") == join({pieces(sp, "who wrote the book?"), {eos}}));
  CHECK(tokenizer.encode("question: who? answer: <extra_id_0>") ==
        join({pieces(sp, "question: who? answer:"), {s0, eos}}));
  CHECK(tokenizer.encode("<extra_id_0> Paris") == join({{s0}, pieces(sp, "Paris"), {eos}}));
  CHECK(tokenizer.encode("a <extra_id_0>  b<extra_id_1>c") ==
        join({pieces(sp, "a"), {s0}, pieces(sp, "b"), {s1}, pieces(sp, "c"), {eos}}));
  CHECK(tokenizer.encode("x</s>") == join({pieces(sp, "x"), {eos, eos}}));
  CHECK(tokenizer.encode("<extra_id_100> <extra_id_07>") == join({pieces(sp, "<extra_id_100> <extra_id_07>"), {eos}}));
  CHECK(tokenizer.encode("") == std::vector<std::int64_t>{eos});

  const auto whole = pieces(sp, "who wrote the book of the city in france");
  REQUIRE(whole.size() > 3);
  CHECK(tokenizer.encode("who wrote the book of the city in france", 4) ==
        join({std::vector<std::int64_t>(whole.begin(), whole.begin() + 3), {eos}}));

  const auto answer = join({{0, s0}, pieces(sp, "Paris"), {eos}});
  CHECK(tokenizer.decode(answer) == "Paris");
  CHECK(tokenizer.decode(answer, /*skip_special=*/false) == "<pad><extra_id_0> Paris</s>");
  CHECK(tokenizer.decode_answer(answer) == "Paris");
  CHECK(tokenizer.decode_answer(join({pieces(sp, "who"), {s0}, pieces(sp, "the city"), {s1, eos}})) == "the city");
  CHECK(tokenizer.decode_answer(join({pieces(sp, "the city"), {eos}})) == "the city");
  // Embedding rows past the pieces and sentinels (32,128 rows for 32,100 in published T5): a
  // generated one decodes as nothing and is counted, instead of failing the evaluation.
  const auto with_extra_rows = join({{s0}, pieces(sp, "Paris"), {356, 360}, pieces(sp, "city"), {eos}});
  CHECK(tokenizer.decode_answer(with_extra_rows) ==
        tokenizer.decode_answer(join({{s0}, pieces(sp, "Paris city"), {eos}})));
  CHECK(tokenizer.beyond_vocabulary(with_extra_rows) == 2);
  CHECK(tokenizer.beyond_vocabulary(answer) == 0);
  CHECK_THAT(error_message([&] { tokenizer.decode({-1}); }), Catch::Contains("-1"));
}

TEST_CASE("T5 tokenizer: bad model files are errors that name them", "[text]") {
  TempDir dir;
  write_text(dir / "spiece.model", "not a sentencepiece model");
  CHECK_THAT(error_message([&] { T5Tokenizer::from_directory(dir.path()); }), Catch::Contains("spiece.model"));
  TempDir empty;
  CHECK_THAT(error_message([&] { T5Tokenizer::from_directory(empty.path()); }),
             Catch::Contains("spiece.model") && Catch::Contains("missing"));
}
