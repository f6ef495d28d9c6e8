// Dense stores: FAISS search against brute force, the torch exact path against FAISS, compose
// against building the subset from scratch, resuming an interrupted build, damaged files.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "corag/models/random_checkpoint.hpp"
#include "corag/models/retriever.hpp"
#include "corag/models/weights_fingerprint.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/store/store_composition.hpp"
#include "corag/util/rng.hpp"
#include "corag/util/safetensors_reader.hpp"
#include "corag/util/safetensors_writer.hpp"
#include "model_fixtures.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::read_text;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

const std::vector<std::string> kWords = {"un", "want",    "the", "a",      "who",   "wrote", "what",
                                         "is", "capital", "of",  "france", "paris", "book",  "city",
                                         "in", "runn",    "ing", "aff",    "able",  "s"};

/// A corpus of `count` passages made of random vocabulary words (distinct embeddings, no ties).
std::string random_corpus(std::size_t count, std::uint64_t seed, std::size_t first_id = 0) {
  Rng rng(seed);
  std::string corpus;
  for (std::size_t i = 0; i < count; ++i) {
    std::string text;
    const auto words = 4 + rng.uniform(10);
    for (std::uint64_t w = 0; w < words; ++w) text += (w ? " " : "") + kWords[rng.uniform(kWords.size())];
    corpus +=
        nlohmann::json{
            {"id", "d" + std::to_string(first_id + i)}, {"title", kWords[rng.uniform(kWords.size())]}, {"text", text}}
            .dump() +
        "\n";
  }
  return corpus;
}

std::filesystem::path make_retriever(const TempDir& dir, const std::string& name, std::uint64_t seed) {
  write_random_retriever(nlohmann::json::parse(test::tiny_bert_config_json()), test::tiny_vocab_file(), dir / name,
                         seed);
  return dir / name;
}

StoreBuildOptions small_chunks() {
  StoreBuildOptions options;
  options.chunk_rows = 64;
  options.batch_size = 16;
  return options;
}

torch::Tensor some_queries(Retriever& retriever) {
  return retriever.embed_queries({"who wrote the book", "capital of france", "paris city", "a", "want able"}, 8);
}

}  // namespace

TEST_CASE("dense store: FAISS Flat equals brute force, the torch path equals FAISS", "[store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", random_corpus(200, 1));
  auto retriever = Retriever::load(make_retriever(dir, "bert", 3), torch::kCPU);
  DenseStore::build(retriever, dir / "corpus.jsonl", dir / "store", small_chunks());
  const DenseStore store(dir / "store");
  REQUIRE(store.size() == 200);
  CHECK(store.fingerprint() == weights_fingerprint(*retriever.passage_encoder()));
  CHECK(std::filesystem::exists(dir / "store/embeddings/000003.safetensors"));

  const auto queries = some_queries(retriever);
  const auto hits = store.search(queries, 10);
  // Brute force by hand: every passage's score, sorted.
  const auto all = store.embeddings(0, store.size());
  const auto scores = torch::matmul(queries, all.t());
  for (std::int64_t q = 0; q < queries.size(0); ++q) {
    const auto top = scores[q].topk(10);
    REQUIRE(hits[static_cast<std::size_t>(q)].size() == 10);
    for (std::int64_t j = 0; j < 10; ++j) {
      CHECK(hits[static_cast<std::size_t>(q)][static_cast<std::size_t>(j)].row ==
            static_cast<std::size_t>(std::get<1>(top)[j].item<std::int64_t>()));
      CHECK(hits[static_cast<std::size_t>(q)][static_cast<std::size_t>(j)].score ==
            Approx(std::get<0>(top)[j].item<float>()).epsilon(1e-5));
    }
  }
  const auto exact = store.search_exact(queries, 10, torch::kCPU, torch::kFloat32, /*resident_bytes=*/1 << 20);
  const auto streamed = store.search_exact(queries, 10, torch::kCPU, torch::kFloat32, /*resident_bytes=*/0);
  for (std::size_t q = 0; q < hits.size(); ++q) {
    for (std::size_t j = 0; j < 10; ++j) {
      CHECK(exact[q][j].row == hits[q][j].row);
      CHECK(exact[q][j].score == Approx(hits[q][j].score).epsilon(1e-5));
      CHECK(streamed[q][j].row == hits[q][j].row);
    }
  }
  // bf16 keeps the top hit of well-separated scores and the scores within bf16 tolerance.
  const auto bf16 = store.search_exact(queries, 1, torch::kCPU, torch::kBFloat16);
  for (std::size_t q = 0; q < hits.size(); ++q)
    CHECK(std::abs(bf16[q][0].score - hits[q][0].score) <= 0.05 * std::abs(hits[q][0].score) + 0.05);
}

TEST_CASE("dense store: compose gives the results of building the subset from scratch", "[store]") {
  TempDir dir;
  const auto corpus = random_corpus(150, 2);
  write_text(dir / "corpus.jsonl", corpus);
  auto retriever = Retriever::load(make_retriever(dir, "bert", 4), torch::kCPU);
  DenseStore::build(retriever, dir / "corpus.jsonl", dir / "full", small_chunks());

  // Every third passage, as a list of ids and as a corpus of its own.
  std::istringstream lines(corpus);
  std::string line, ids, subset;
  for (std::size_t i = 0; std::getline(lines, line); ++i) {
    if (i % 3 != 0) continue;
    ids += nlohmann::json::parse(line)["id"].get<std::string>() + "\n";
    subset += line + "\n";
  }
  write_text(dir / "ids.txt", ids);
  write_text(dir / "subset.jsonl", subset);
  compose_store({dir / "full"}, dir / "ids.txt", dir / "composed", small_chunks());
  DenseStore::build(retriever, dir / "subset.jsonl", dir / "scratch", small_chunks());
  const DenseStore composed(dir / "composed"), scratch(dir / "scratch");
  REQUIRE(composed.size() == 50);
  REQUIRE(scratch.size() == 50);
  const auto queries = some_queries(retriever);
  const auto a = composed.search(queries, 7), b = scratch.search(queries, 7);
  for (std::size_t q = 0; q < a.size(); ++q) {
    REQUIRE(a[q].size() == 7);
    for (std::size_t j = 0; j < 7; ++j) {
      CHECK(composed.table().at(a[q][j].row).id == scratch.table().at(b[q][j].row).id);
      CHECK(a[q][j].score == Approx(b[q][j].score).epsilon(1e-5));
    }
  }
  // Union of two composed stores; a store over another root cannot join them.
  write_text(dir / "ids2.txt", "d1\nd2\nd0\n");
  compose_store({dir / "full"}, dir / "ids2.txt", dir / "small", small_chunks());
  compose_store({dir / "composed", dir / "small"}, std::nullopt, dir / "union", small_chunks());
  CHECK(DenseStore(dir / "union").size() == 52);
  CHECK_THAT(error_message([&] {
               compose_store({dir / "composed", dir / "scratch"}, std::nullopt, dir / "bad", {});
             }),
             Catch::Contains("root store"));
  write_text(dir / "unknown.txt", "d1\nnope\n");
  CHECK_THAT(error_message([&] { compose_store({dir / "full"}, dir / "unknown.txt", dir / "bad", {}); }),
             Catch::Contains("unknown.txt:2") && Catch::Contains("'nope'"));
}

TEST_CASE("dense store: an interrupted build resumes to byte-identical files", "[store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", random_corpus(150, 5));
  auto retriever = Retriever::load(make_retriever(dir, "bert", 6), torch::kCPU);
  DenseStore::build(retriever, dir / "corpus.jsonl", dir / "store", small_chunks());

  // The state a kill after the second chunk leaves: chunks 0-1, no chunk 2, no index, no meta.
  std::filesystem::copy(dir / "store", dir / "resumed", std::filesystem::copy_options::recursive);
  std::filesystem::remove(dir / "resumed/embeddings/000002.safetensors");
  std::filesystem::remove(dir / "resumed/index.faiss");
  std::filesystem::remove(dir / "resumed/meta.json");
  const auto kept_chunk = dir / "resumed/embeddings/000000.safetensors";
  const auto kept_time = std::filesystem::last_write_time(kept_chunk);
  DenseStore::build(retriever, dir / "corpus.jsonl", dir / "resumed", small_chunks());
  CHECK(std::filesystem::last_write_time(kept_chunk) == kept_time);  // not recomputed
  for (const auto* name : {"embeddings/000000.safetensors", "embeddings/000001.safetensors",
                           "embeddings/000002.safetensors", "index.faiss", "meta.json", "passages.bin"}) {
    INFO(name);
    CHECK(read_text(dir / "resumed" / name) == read_text(dir / "store" / name));
  }
  // Rerunning a finished build (killed just after meta.json took its name) has nothing to do;
  // building something else into it is refused.
  const auto meta_time = std::filesystem::last_write_time(dir / "store/meta.json");
  DenseStore::build(retriever, dir / "corpus.jsonl", dir / "store", small_chunks());
  CHECK(std::filesystem::last_write_time(dir / "store/meta.json") == meta_time);
  auto hnsw = small_chunks();
  hnsw.index_factory = "HNSW8";
  CHECK_THAT(error_message([&] { DenseStore::build(retriever, dir / "corpus.jsonl", dir / "store", hnsw); }),
             Catch::Contains("already holds a store"));
  // Resuming with another encoder is refused.
  std::filesystem::remove(dir / "resumed/meta.json");
  auto other = Retriever::load(make_retriever(dir, "other", 7), torch::kCPU);
  CHECK_THAT(error_message([&] { DenseStore::build(other, dir / "corpus.jsonl", dir / "resumed", small_chunks()); }),
             Catch::Contains("unfinished build of something else"));
}

TEST_CASE("dense store: damaged or mismatched files are errors that name them", "[store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", random_corpus(70, 8));
  auto retriever = Retriever::load(make_retriever(dir, "bert", 9), torch::kCPU);
  DenseStore::build(retriever, dir / "corpus.jsonl", dir / "store", small_chunks());
  const auto fresh_copy = [&](const std::string& name) {
    std::filesystem::copy(dir / "store", dir / name, std::filesystem::copy_options::recursive);
    return dir / name;
  };
  const auto chunk = fresh_copy("chunk");
  std::filesystem::resize_file(chunk / "embeddings/000001.safetensors", 40);
  CHECK_THAT(error_message([&] { DenseStore store(chunk); }), Catch::Contains("000001.safetensors"));
  const auto index = fresh_copy("index");
  write_text(index / "index.faiss", "not faiss");
  CHECK_THAT(error_message([&] { DenseStore store(index); }), Catch::Contains("index.faiss"));
  const auto meta = fresh_copy("meta");
  auto json = nlohmann::json::parse(read_text(meta / "meta.json"));
  json["dim"] = 16;
  write_text(meta / "meta.json", json.dump());
  CHECK_THAT(error_message([&] { DenseStore store(meta); }), Catch::Contains("000000.safetensors"));
  CHECK_THAT(error_message([&] { DenseStore store(dir / "nothing"); }), Catch::Contains("meta.json"));
  CHECK_THAT(error_message([&] { FaissIndex::create("NoSuchIndex", 32); }), Catch::Contains("NoSuchIndex"));
}

TEST_CASE("dense store: NaN in the embeddings is an error naming the store, not a null score", "[store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", random_corpus(70, 15));
  auto retriever = Retriever::load(make_retriever(dir, "bert", 16), torch::kCPU);
  DenseStore::build(retriever, dir / "corpus.jsonl", dir / "store", small_chunks());
  const auto chunk = dir / "store/embeddings/000001.safetensors";
  auto embeddings = SafetensorsReader(chunk).tensor("embeddings").clone();
  embeddings[3][0] = std::numeric_limits<float>::quiet_NaN();
  write_safetensors(chunk, {{"embeddings", embeddings}});
  const DenseStore store(dir / "store");
  CHECK_THAT(error_message([&] { store.top_k(some_queries(retriever), 5, torch::kCPU, torch::kFloat32); }),
             Catch::Contains("store") && Catch::Contains("not finite"));
}

TEST_CASE("dense store: FAISS factories FAISS cannot run are refused before it builds them", "[store]") {
  // Each of these crashes (HNSW0, PQ0, PQ8x0, OPQ0, IVF4_HNSW0), hangs (HNSW1) or aborts (IVF0) inside
  // FAISS 1.7.3 when vectors are added or searched; HNSW32,PQ8 silently measures L2 distance.
  for (const auto* factory :
       {"HNSW0", "HNSW1", "HNSW0,Flat", "IVF0,Flat", "PQ0", "IVF4,PQ0", "PQ8x0", "OPQ0,PQ8", "IVF4_HNSW0,Flat",
        "HNSW32,PQ0", "HNSW32,PQ8", "PQ5", "NSG32", "IVF4", "HNSW32,Flat,Flat", "HNSW99999999999999999999", ""}) {
    INFO(factory);
    CHECK_THAT(error_message([&] { FaissIndex::create(factory, 32); }),
               Catch::Contains(std::string("FAISS index factory '") + factory + "'"));
  }
  for (const auto* factory :
       {"Flat", "HNSW32", "HNSW16,Flat", "HNSW32,SQ8", "IVF4,Flat", "IVF16,PQ8", "IVF16,PQ8x4", "IVF16_HNSW32,Flat",
        "IVF4,SQfp16", "PQ8", "SQ8", "OPQ8,IVF4,PQ8", "OPQ8_16,IVF4,PQ8", "PCA16,Flat"}) {
    INFO(factory);
    CHECK(FaissIndex::create(factory, 32).dim() == 32);
  }
}

TEST_CASE("dense store: a damaged HNSW index is refused before FAISS reads it, compose never overwrites a store",
          "[store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", random_corpus(120, 12));
  auto retriever = Retriever::load(make_retriever(dir, "bert", 13), torch::kCPU);
  auto options = small_chunks();
  options.index_factory = "HNSW8";
  DenseStore::build(retriever, dir / "corpus.jsonl", dir / "store", options);
  const auto queries = some_queries(retriever);
  const auto expected = DenseStore(dir / "store").search(queries, 5);
  const auto original = read_text(dir / "store/index.faiss");
  // Random byte changes crashed FAISS's reader or its search; the checksum in meta.json stops them.
  Rng rng(14);
  for (int trial = 0; trial < 20; ++trial) {
    auto damaged = original;
    for (int flips = 0; flips < 4; ++flips) damaged[rng.uniform(damaged.size())] ^= static_cast<char>(0x41);
    write_text(dir / "store/index.faiss", damaged);
    CHECK_THAT(error_message([&] { DenseStore store(dir / "store"); }),
               Catch::Contains("index.faiss") && Catch::Contains("checksum"));
  }
  write_text(dir / "store/index.faiss", original);
  // Restored, it answers exactly as before the damage.
  const auto restored = DenseStore(dir / "store").search(queries, 5);
  REQUIRE(restored.size() == expected.size());
  for (std::size_t q = 0; q < expected.size(); ++q) {
    REQUIRE(restored[q].size() == expected[q].size());
    for (std::size_t j = 0; j < expected[q].size(); ++j) CHECK(restored[q][j].row == expected[q][j].row);
  }

  write_text(dir / "ids.txt", "d1\nd2\n");
  compose_store({dir / "store"}, dir / "ids.txt", dir / "part", small_chunks());
  for (const auto* target : {"store", "part"}) {
    INFO(target);
    CHECK_THAT(error_message([&] { compose_store({dir / "part"}, std::nullopt, dir / target, small_chunks()); }),
               Catch::Contains("already holds a store"));
  }
  CHECK(read_text(dir / "store/index.faiss") == original);
  CHECK(DenseStore(dir / "store").size() == 120);
}

TEST_CASE("dense store: trained FAISS factories (IVF) build and search", "[store]") {
  TempDir dir;
  write_text(dir / "corpus.jsonl", random_corpus(300, 10));
  auto retriever = Retriever::load(make_retriever(dir, "bert", 11), torch::kCPU);
  auto options = small_chunks();
  options.index_factory = "IVF4,Flat";
  options.train_sample = 200;
  DenseStore::build(retriever, dir / "corpus.jsonl", dir / "ivf", options);
  const DenseStore store(dir / "ivf");
  CHECK(store.index_factory() == "IVF4,Flat");
  const auto hits = store.search(some_queries(retriever), 5);
  for (const auto& list : hits) {
    CHECK(!list.empty());
    for (std::size_t j = 1; j < list.size(); ++j) CHECK(list[j - 1].score >= list[j].score);
  }
}
