// crab-build-stores end to end on the real NQ-open questions against a small generated corpus:
// per question one passage with the answer, one that shares the question's words but not the
// answer, plus filler.
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "corag/util/qa_reader.hpp"
#include "corag/util/rng.hpp"
#include "test_support.hpp"

using corag::test::read_text;
using corag::test::run_command;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

const std::string nq_dir = CORAG_NQ_OPEN_DIR;
const std::vector<std::string> pool_files = {nq_dir + "/NQ-open.dev.jsonl",
                                             nq_dir + "/NQ-open.efficientqa.dev.1.1.jsonl",
                                             nq_dir + "/NQ-open.efficientqa.test.1.1.jsonl"};

void write_corpus(const std::filesystem::path& path) {
  std::ofstream out(path);
  std::size_t id = 0;
  for (const auto& file : pool_files) {
    corag::QaReader reader(file);
    for (corag::QaRecord qa; reader.next(qa);) {
      const auto& answer = qa.answers.front();
      out << nlohmann::json{{"id", std::to_string(id++)},
                            {"title", answer},
                            {"text", qa.question + " The answer is " + answer + "."}}
                 .dump()
          << "\n";
      out << nlohmann::json{{"id", std::to_string(id++)},
                            {"title", "Notes"},
                            {"text", qa.question + " is asked often."}}
                 .dump()
          << "\n";
    }
  }
  const std::vector<std::string> words = {"river", "stone", "music", "garden", "winter", "market", "engine", "harbor"};
  corag::Rng rng(1);
  for (int i = 0; i < 8000; ++i) {
    std::string text;
    for (int w = 0; w < 12; ++w) text += (w ? " " : "") + words[rng.uniform(words.size())];
    out << nlohmann::json{{"id", std::to_string(id++)}, {"title", "Filler"}, {"text", text}}.dump() << "\n";
  }
}

std::set<std::string> read_lines(const std::filesystem::path& path) {
  std::set<std::string> lines;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}

std::map<std::string, std::string> read_tree(const std::filesystem::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (entry.is_regular_file())
      files[std::filesystem::relative(entry.path(), root).string()] = read_text(entry.path());
  }
  return files;
}

}  // namespace

TEST_CASE("crab-build-stores on NQ-open: layout, invariants, determinism, refusing another build", "[e2e][crab]") {
  TempDir dir;
  write_corpus(dir / "corpus.jsonl");
  const std::string command =
      std::string(CORAG_CRAB_BUILD_STORES_PATH) +
      " --quiet --config " PROJECT_CONFIG_DIR "/crab.yaml --set data.corpus=" + (dir / "corpus.jsonl").string() +
      " --set data.test_pool=" + pool_files[0] + " --set 'data.train_pool=[" + pool_files[1] + ", " + pool_files[2] +
      "]' --set splits.test_size=800 --set splits.dev_size=320 --set build.threads=2 --out ";
  const auto first = run_command(dir, command + (dir / "crab").string());
  REQUIRE(first.exit_code == 0);
  const auto manifest = nlohmann::json::parse(read_text(dir / "crab/manifest.json"));
  CHECK(manifest["pools"]["test_pool_questions"] == 1000);  // the tests' sample of NQ-open dev
  CHECK(manifest["splits"]["test"]["client_8"] == 100);     // test_size 800 over 8 clients
  CHECK(manifest["splits"]["dev"]["client_1"] == 40);       // dev_size 320 over 8 clients
  // Most of the 512 train questions have their passage in REL; those that share an answer string
  // with a test or dev question ("1998") lose it to the held-out stores.
  CHECK(manifest["stores"]["REL"]["relevant"].get<int>() > 300);
  CHECK(manifest["stores"]["REL"]["relevant"] == manifest["sampling"]["train_relevant"]);
  CHECK(manifest["stores"]["IRR"]["relevant"] == 0);
  CHECK(manifest["stores"]["ablations/only-relevant"]["irrelevant"] == 0);
  // Each of a client's 100 test questions has its answer passage in its test store (bar a few
  // whose answer BM25 ranks below the relevant depth).
  CHECK(manifest["stores"]["test/client_3"]["relevant"].get<int>() > 90);

  // Nested few-shot sets, ids on every line.
  const auto lines16 = read_text(dir / "crab/splits/train16/client_5.jsonl");
  const auto lines64 = read_text(dir / "crab/splits/train64/client_5.jsonl");
  CHECK(lines64.compare(0, lines16.size(), lines16) == 0);
  std::istringstream test_lines(read_text(dir / "crab/splits/test/client_2.jsonl"));
  for (std::string line; std::getline(test_lines, line);)
    CHECK(!nlohmann::json::parse(line)["id"].get<std::string>().empty());

  // Store files agree with the invariants: no test or dev passage in a train store, and the
  // PARTITION stores deal REL out among the clients.
  std::set<std::string> held_out_ids, partition_ids;
  std::size_t partitioned = 0;
  for (int c = 1; c <= 8; ++c) {
    const auto client = "client_" + std::to_string(c);
    for (const char* split : {"test", "dev"}) {
      const auto ids = read_lines(dir / "crab/stores" / split / client / "ids.txt");
      CHECK(!ids.empty());
      held_out_ids.insert(ids.begin(), ids.end());
    }
    const auto part = read_lines(dir / "crab/stores/PARTITION" / client / "ids.txt");
    partitioned += part.size();
    partition_ids.insert(part.begin(), part.end());
  }
  const auto rel = read_lines(dir / "crab/stores/REL/ids.txt");
  const auto irr = read_lines(dir / "crab/stores/IRR/ids.txt");
  for (const auto& id : rel) CHECK(held_out_ids.count(id) == 0);
  CHECK(partitioned == rel.size());
  CHECK(partition_ids == std::set<std::string>(rel.begin(), rel.end()));
  const auto& train_sample = manifest["sampling"]["train_sample"];
  CHECK(train_sample["used"].get<std::size_t>() <= train_sample["requested"].get<std::size_t>());
  CHECK(irr.size() == train_sample["used"].get<std::size_t>());
  CHECK(manifest["classification"]["top_without_answer"] == "irrelevant");
  CHECK(read_lines(dir / "crab/stores/REL-1/client_8/ids.txt") == rel);
  CHECK(read_lines(dir / "crab/stores/REL-1/client_1/ids.txt") == irr);
  CHECK(std::filesystem::exists(dir / "crab/stores/ablations/relevant-plus-1/ids.txt"));
  CHECK(read_lines(dir / "crab/stores/ablations/empty/ids.txt").empty());
  std::istringstream classification(read_text(dir / "crab/classification/test.jsonl"));
  std::string line;
  REQUIRE(std::getline(classification, line));
  CHECK(nlohmann::json::parse(line)["hard_negatives"].size() > 0);

  // Byte-identical rebuild elsewhere; another seed into the same directory is refused.
  REQUIRE(run_command(dir, command + (dir / "again").string()).exit_code == 0);
  CHECK(read_tree(dir / "crab") == read_tree(dir / "again"));
  const auto refused = run_command(dir, command + (dir / "crab").string() + " --set build.seed=5");
  CHECK(refused.exit_code == 1);
  CHECK_THAT(refused.err, Catch::Contains("another config"));

  // A finished build run again is left as it is; killed just after its manifest took its name, it
  // left its build marker, which the rerun removes.
  write_text(dir / "again/build.started", "{}\n");
  REQUIRE(run_command(dir, command + (dir / "again").string()).exit_code == 0);
  CHECK(read_tree(dir / "crab") == read_tree(dir / "again"));

  // Killed before its manifest, then run with another config into the same folder: nothing of the
  // first build outlives the second (train64 stayed, and corag train read it).
  std::filesystem::remove(dir / "again/manifest.json");
  write_text(dir / "again/build.started", "{}\n");
  const auto resumed = run_command(dir, command + (dir / "again").string() + " --set 'splits.shots=[16]'");
  REQUIRE(resumed.exit_code == 0);
  CHECK(std::filesystem::exists(dir / "again/splits/train16/client_1.jsonl"));
  CHECK_FALSE(std::filesystem::exists(dir / "again/splits/train64"));
  CHECK_FALSE(std::filesystem::exists(dir / "again/build.started"));
  CHECK_FALSE(nlohmann::json::parse(read_text(dir / "again/manifest.json"))["splits"].contains("train64"));
  // Folders a build did not write are not removed.
  std::filesystem::create_directories(dir / "foreign/stores");
  const auto foreign = run_command(dir, command + (dir / "foreign").string());
  CHECK(foreign.exit_code == 1);
  CHECK_THAT(foreign.err, Catch::Contains("not from a crab-build-stores run"));

  // An unfinished build's table is not reused for another corpus.
  std::filesystem::create_directories(dir / "stale");
  std::filesystem::copy(dir / "crab/bm25", dir / "stale/bm25", std::filesystem::copy_options::recursive);
  write_text(dir / "other.jsonl", read_text(dir / "corpus.jsonl") + R"({"id": "extra", "title": "x", "text": "y"})"
                                                                    "\n");
  const auto stale =
      run_command(dir, command + (dir / "stale").string() + " --set data.corpus=" + (dir / "other.jsonl").string());
  CHECK(stale.exit_code == 1);
  CHECK_THAT(stale.err, Catch::Contains("table of another corpus"));
}
