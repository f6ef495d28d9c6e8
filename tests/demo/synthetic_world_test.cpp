// The synthetic knowledge world: deterministic, every answer stated in a passage, namesakes
// told apart, the question pools a partition, passage lengths like Wikipedia's 100-word
// passages, and hard negatives (passages sharing a question's words without its answer).
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "corag/demo/synthetic_world.hpp"
#include "corag/text/answer_normalization.hpp"
#include "corag/util/qa_reader.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::read_jsonl;
using corag::test::read_text;
using corag::test::TempDir;

namespace {

SynthWorldConfig small_world() {
  SynthWorldConfig config;
  config.people = 60;
  config.places = 10;
  config.organisations = 10;
  config.works = 15;
  config.festivals = 3;
  config.noise_passages = 30;
  config.questions = 150;
  config.namesake_fraction = 0.1;
  config.seed = 5;
  return config;
}

std::size_t word_count(const std::string& text) {
  std::istringstream in(text);
  std::size_t count = 0;
  for (std::string word; in >> word;) ++count;
  return count;
}

}  // namespace

TEST_CASE("synthetic world: deterministic, answerable, namesakes disambiguated, pools partitioned", "[crab][synth]") {
  TempDir dir;
  const auto summary = generate_synthetic_world(small_world(), dir / "a");
  generate_synthetic_world(small_world(), dir / "b");
  for (const char* file : {"passages.jsonl", "qa.jsonl", "qa.train_pool.jsonl", "qa.test_pool.jsonl", "world.json"}) {
    CHECK(read_text(dir / "a" / file) == read_text(dir / "b" / file));
  }
  auto other = small_world();
  other.seed = 6;
  generate_synthetic_world(other, dir / "c");
  CHECK(read_text(dir / "a" / "passages.jsonl") != read_text(dir / "c" / "passages.jsonl"));

  const auto passages = read_jsonl(dir / "a" / "passages.jsonl");
  CHECK(summary["passages"] == passages.size());
  CHECK(passages.size() == 60 + 10 + 10 + 15 + 30 + summary["festival_editions"].get<std::size_t>());
  std::size_t words = 0;
  std::set<std::string> ids;
  std::map<std::string, std::set<std::string>> occupations_by_name;
  for (const auto& passage : passages) {
    const auto count = word_count(passage["text"]);
    CHECK(count >= 30);
    CHECK(count <= 130);
    words += count;
    ids.insert(passage["id"].get<std::string>());
    const auto title = passage["title"].get<std::string>();
    const auto open = title.find(" (");
    if (open != std::string::npos)
      occupations_by_name[title.substr(0, open)].insert(title.substr(open + 2, title.size() - open - 3));
  }
  CHECK(ids.size() == passages.size());
  const double mean = static_cast<double>(words) / static_cast<double>(passages.size());
  CHECK(mean >= 50);
  CHECK(mean <= 100);

  const auto questions = read_qa_file(dir / "a" / "qa.jsonl");
  REQUIRE(questions.size() == 150);
  std::set<std::string> texts;
  std::size_t with_hard_negative = 0;
  for (const auto& qa : questions) {
    INFO(qa.question);
    CHECK(texts.insert(qa.question).second);
    REQUIRE(qa.answers.size() == 1);
    bool stated = false, near_miss = false;
    // A hard negative: a passage sharing the question's capitalised words, without the answer.
    std::vector<std::string> names;
    std::istringstream in(qa.question);
    for (std::string word; in >> word;) {
      if (std::isupper(static_cast<unsigned char>(word[0])) && word != "Where" && word != "When" && word != "Who" &&
          word != "In" && word != "Which" && word != "What" && word != "On")
        names.push_back(normalize_answer(word));
    }
    for (const auto& passage : passages) {
      const auto text = passage["title"].get<std::string>() + " " + passage["text"].get<std::string>();
      if (contains_answer(text, qa.answers[0])) {
        stated = true;
      } else {
        bool shares = !names.empty();
        for (const auto& name : names) shares = shares && contains_answer(text, name);
        near_miss = near_miss || shares;
      }
    }
    CHECK(stated);
    if (near_miss) ++with_hard_negative;
  }
  CHECK(with_hard_negative * 2 > questions.size());  // most questions have one

  // Namesakes: titled "Name (occupation)", and every question about one says which.
  std::size_t namesakes = 0;
  for (const auto& [name, occupations] : occupations_by_name) {
    if (occupations.size() < 2) continue;
    ++namesakes;
    for (const auto& qa : questions) {
      if (qa.question.find(name + " ") == std::string::npos && qa.question.find(name + "?") == std::string::npos)
        continue;
      bool said = false;
      for (const auto& occupation : occupations)
        said = said || qa.question.find(occupation + " " + name) != std::string::npos;
      CHECK(said);
    }
  }
  CHECK(namesakes >= 3);

  const auto train = read_text(dir / "a" / "qa.train_pool.jsonl"), test = read_text(dir / "a" / "qa.test_pool.jsonl");
  CHECK(test + train == read_text(dir / "a" / "qa.jsonl"));
  CHECK(read_qa_file(dir / "a" / "qa.test_pool.jsonl").size() == 45);  // test_fraction 0.3

  auto greedy = small_world();
  greedy.questions = 100000;
  CHECK(error_message([&] { generate_synthetic_world(greedy, dir / "d"); }).find("fewer than world.questions") !=
        std::string::npos);
}

TEST_CASE("synthetic world: padding_scale shortens the filler, not the facts", "[crab][synth]") {
  TempDir dir;
  auto short_world = small_world();
  short_world.padding_scale = 0.5;
  generate_synthetic_world(small_world(), dir / "default");
  generate_synthetic_world(short_world, dir / "short");
  const auto words = [&](const char* world) {
    std::size_t total = 0;
    for (const auto& passage : read_jsonl(dir / world / "passages.jsonl")) total += word_count(passage["text"]);
    return total;
  };
  // Padding to half the default length (50-80 words) leaves about 30-55 words a passage.
  const auto passages = read_jsonl(dir / "short" / "passages.jsonl").size();
  CHECK(static_cast<double>(words("short")) < 0.75 * static_cast<double>(words("default")));
  CHECK(words("short") >= 25 * passages);
  // Every answer is still stated in a passage.
  const auto short_passages = read_jsonl(dir / "short" / "passages.jsonl");
  for (const auto& qa : read_qa_file(dir / "short" / "qa.jsonl")) {
    INFO(qa.question);
    CHECK(std::any_of(short_passages.begin(), short_passages.end(), [&](const nlohmann::json& passage) {
      return contains_answer(passage["title"].get<std::string>() + " " + passage["text"].get<std::string>(),
                             qa.answers[0]);
    }));
  }
}
