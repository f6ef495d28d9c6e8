#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corag/config/enum_names.hpp"
#include "corag/config/field_rules.hpp"
#include "corag/config/input_paths.hpp"

namespace corag {

/// The class of a top-ranked BM25 passage that lacks the answer.
enum class TopWithoutAnswer { irrelevant, hard_negative };
inline const EnumNames<TopWithoutAnswer>& enum_names(TopWithoutAnswer) {
  static const EnumNames<TopWithoutAnswer> names = {{TopWithoutAnswer::irrelevant, "irrelevant"},
                                                    {TopWithoutAnswer::hard_negative, "hard_negative"}};
  return names;
}

// The config of `crab-build-stores` (configs/crab.yaml). Defaults are the paper's (section 3.1,
// 3.4, appendix E). Every fraction is of the whole corpus; a train-store sample is capped by
// the passages eligible for it (neither test/dev passages nor train-relevant), and the manifest
// records both the size asked for and the size used.

/// Where the questions and passages come from.
struct CrabDataConfig {
  std::vector<std::string> train_pool;  ///< QA files the train and dev splits are drawn from
  std::string test_pool;                ///< QA file the test split is drawn from
  std::string corpus;                   ///< passage corpus, JSONL or DPR TSV

  template <typename Visitor>
  void visit(Visitor& v) {
    v.path("train_pool", train_pool);
    v.path("test_pool", test_pool);
    v.path("corpus", corpus);
  }
};

/// The largest shot level accepted: far beyond any QA pool, and small enough that clients x
/// shots + dev_size + test_size (each at most 1e9) cannot overflow.
inline constexpr std::int64_t kMaxShots = 10'000'000;

/// How the questions are split among clients.
struct CrabSplitsConfig {
  std::int64_t clients = 8;
  std::vector<std::string> shots = {"16", "32", "64"};  ///< nested few-shot train sets per client
  std::int64_t dev_size = 8752;                         ///< split evenly among clients
  std::int64_t test_size = 3600;                        ///< split evenly among clients

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("clients", clients, between(1, 4096));
    v.field("shots", shots);
    v.field("dev_size", dev_size, between(0, 1e9));
    v.field("test_size", test_size, between(1, 1e9));
  }
};

/// The BM25 classification of passages per QA pair.
struct CrabBm25Config {
  std::string index;  ///< existing `corag bm25 build` directory over the corpus ("": build one)
  std::string run;    ///< TREC run (e.g. from Pyserini) to use instead of searching; qids are QA ids
  double k1 = 0.9;
  double b = 0.4;
  std::int64_t depth = 50;          ///< ranks 1..depth are classified
  std::int64_t relevant_depth = 5;  ///< ranks 1..relevant_depth with an answer are relevant
  /// A top-relevant_depth passage without an answer: `irrelevant` (the paper's literal rule:
  /// relevant = top 5 with the answer, hard negatives = ranks 6-50, irrelevant = the rest) or
  /// `hard_negative` (every retrieved passage that is not relevant).
  TopWithoutAnswer top_without_answer = TopWithoutAnswer::irrelevant;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.path("index", index);
    v.path("run", run);
    v.field("k1", k1, at_least(0));
    v.field("b", b, between(0, 1));
    v.field("depth", depth, between(1, 100000));
    v.field("relevant_depth", relevant_depth, between(1, 100000));
    v.field("top_without_answer", top_without_answer);
  }
};

/// The store variants.
struct CrabStoresConfig {
  double train_fraction = 0.8;   ///< REL / IRR / REL-1 corpus share
  double split_fraction = 0.1;   ///< SPLIT corpus share per client
  double test_fraction = 0.025;  ///< client-local share per client (its test and dev stores)
  std::int64_t rel1_client = 8;  ///< the one client of REL-1 with the relevant passages
  std::string embeddings;        ///< `corag index build` store of the corpus: also compose FAISS stores

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("train_fraction", train_fraction, between(0, 1));
    v.field("split_fraction", split_fraction, between(0, 1));
    v.field("test_fraction", test_fraction, between(0, 1));
    v.field("rel1_client", rel1_client, at_least(1));
    v.path("embeddings", embeddings);
  }
};

struct CrabBuildConfig {
  std::int64_t seed = 0;
  std::int64_t threads = 0;  ///< 0: one per core

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("seed", seed, at_least(0));
    v.field("threads", threads, between(0, 4096));
  }
};

struct CrabConfig {
  CrabDataConfig data;
  CrabSplitsConfig splits;
  CrabBm25Config bm25;
  CrabStoresConfig stores;
  CrabBuildConfig build;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.section("data", data);
    v.section("splits", splits);
    v.section("bm25", bm25);
    v.section("stores", stores);
    v.section("build", build);
  }

  std::vector<ConfigProblem> check() const;
  /// The files and folders the config names as inputs (require_config_inputs checks them).
  std::vector<InputPath> input_paths() const;
  /// `splits.shots` as numbers (check() guarantees positive and ascending).
  std::vector<std::size_t> shot_levels() const;
};

}  // namespace corag
