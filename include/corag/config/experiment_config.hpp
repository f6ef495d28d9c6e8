#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corag/config/enum_names.hpp"
#include "corag/config/field_rules.hpp"
#include "corag/config/input_paths.hpp"
#include "corag/util/precision.hpp"

namespace corag {

/// How the clients train (paper section 3.2): each alone, on the union of their data, or FedAvg.
enum class TrainMode { local, centralized, collaborative };
inline const EnumNames<TrainMode>& enum_names(TrainMode) {
  static const EnumNames<TrainMode> names = {{TrainMode::local, "local"},
                                             {TrainMode::centralized, "centralized"},
                                             {TrainMode::collaborative, "collaborative"}};
  return names;
}

/// The training answer of a question with several gold answers: a random one each time, or the first.
enum class TrainTarget { random, first };
inline const EnumNames<TrainTarget>& enum_names(TrainTarget) {
  static const EnumNames<TrainTarget> names = {{TrainTarget::random, "random"}, {TrainTarget::first, "first"}};
  return names;
}

/// FedAvg's weight of a client's model: its number of training examples, or the same for all.
enum class ClientWeighting { examples, uniform };
inline const EnumNames<ClientWeighting>& enum_names(ClientWeighting) {
  static const EnumNames<ClientWeighting> names = {{ClientWeighting::examples, "examples"},
                                                   {ClientWeighting::uniform, "uniform"}};
  return names;
}

/// What the query encoder embeds: the reader's query (Atlas) or the raw question.
enum class RetrieverQuery { reader, question };
inline const EnumNames<RetrieverQuery>& enum_names(RetrieverQuery) {
  static const EnumNames<RetrieverQuery> names = {{RetrieverQuery::reader, "reader"},
                                                  {RetrieverQuery::question, "question"}};
  return names;
}

/// A client's evaluation split.
enum class EvalSplit { test, dev };
inline const EnumNames<EvalSplit>& enum_names(EvalSplit) {
  static const EnumNames<EvalSplit> names = {{EvalSplit::test, "test"}, {EvalSplit::dev, "dev"}};
  return names;
}

inline const EnumNames<Precision>& enum_names(Precision) {
  static const EnumNames<Precision> names = {
      {Precision::fp32, "fp32"}, {Precision::bf16, "bf16"}, {Precision::automatic, "auto"}};
  return names;
}

// The sections of an experiment config (`corag train --config crab64.yaml`). Defaults are the
// paper's settings (section 3.2, appendix B). Each section lists its fields once, in `visit`,
// which the YAML reader, the --set overrides and the resolved-config writer all go through.

/// The two models and how the reader sees passages.
struct ModelConfig {
  std::string reader;                  ///< HF directory of the T5 / Flan-T5 reader
  std::string retriever;               ///< HF directory of the Contriever retriever
  bool retrieval = true;               ///< false: closed-book parametric baseline
  std::int64_t n_context = 40;         ///< passages retrieved per question (top-k)
  std::int64_t text_maxlength = 384;   ///< encoder tokens per question + passage
  std::int64_t answer_maxlength = 32;  ///< target tokens
  double dropout = 0.1;                ///< reader and query encoder (Atlas's --dropout, whole model)
  /// What the query encoder embeds, in training and evaluation alike: `reader`, the reader's
  /// query `question: {q} answer: <extra_id_0>` (Atlas); or `question`, the raw question.
  RetrieverQuery retriever_query = RetrieverQuery::reader;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.path("reader", reader);
    v.path("retriever", retriever);
    v.field("retrieval", retrieval);
    v.field("n_context", n_context, between(1, 10000));
    v.field("text_maxlength", text_maxlength, between(8, 65536));
    v.field("answer_maxlength", answer_maxlength, between(1, 4096));
    v.field("dropout", dropout, Limits{0.0, 1.0, false});
    v.field("retriever_query", retriever_query);
  }
};

/// Where the benchmark comes from.
struct DataConfig {
  std::string crab_dir;     ///< output of crab-build-stores
  std::int64_t shots = 64;  ///< train examples per client (16, 32 or 64 in CRAB)
  std::int64_t clients = 8;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.path("crab_dir", crab_dir);
    v.field("shots", shots, at_least(1));
    v.field("clients", clients, between(1, 4096));
  }
};

/// Which passage store clients retrieve from, and how it is indexed.
struct StoreConfig {
  std::string variant = "REL";  ///< REL, IRR, REL-1, SPLIT, PARTITION or ablations/<name>
  std::string embeddings;       ///< store of the embedded full corpus (corag index build)
  std::string index = "Flat";   ///< FAISS index factory string

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("variant", variant);
    v.path("embeddings", embeddings);
    v.field("index", index);
  }
};

/// Optimisation (Atlas semantics, paper appendix B).
struct TrainConfig {
  TrainMode mode = TrainMode::local;
  std::int64_t steps = 1000;
  std::int64_t warmup_steps = 20;
  std::int64_t eval_every = 100;  ///< steps between evaluations; 0: only at the end
  std::int64_t batch_size = 64;
  std::int64_t micro_batch_size = 0;  ///< gradient accumulation chunk; 0: the whole batch
  double lr = 4e-5;                   ///< the reader's peak rate
  double retriever_lr = 4e-5;         ///< the query encoder's peak rate (same schedule)
  /// Atlas's linear schedule: warmup from this fraction of the peak rate, decay back to it.
  double lr_floor_ratio = 0.1;
  double weight_decay = 0.01;
  double adam_epsilon = 1e-6;   ///< AdamW's eps (Atlas's --epsilon; torch's default is 1e-8)
  double clip_grad_norm = 1.0;  ///< 0 disables clipping
  double temperature_gold = 0.01;
  double temperature_score = 0.01;
  TrainTarget target = TrainTarget::random;
  std::int64_t keep_checkpoints = 1;
  /// Keep the reported point's model in RUN/best/ as HF directories (train/best_model.hpp).
  bool keep_best = true;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("mode", mode);
    v.field("steps", steps, at_least(1));
    v.field("warmup_steps", warmup_steps, at_least(0));
    v.field("eval_every", eval_every, at_least(0));
    v.field("batch_size", batch_size, at_least(1));
    v.field("micro_batch_size", micro_batch_size, at_least(0));
    v.field("lr", lr, between(0, 1));
    v.field("retriever_lr", retriever_lr, between(0, 1));
    v.field("lr_floor_ratio", lr_floor_ratio, between(0, 1));
    v.field("weight_decay", weight_decay, between(0, 1));
    v.field("adam_epsilon", adam_epsilon, positive());
    v.field("clip_grad_norm", clip_grad_norm, at_least(0));
    v.field("temperature_gold", temperature_gold, positive());
    v.field("temperature_score", temperature_score, positive());
    v.field("target", target);
    v.field("keep_checkpoints", keep_checkpoints, at_least(1));
    v.field("keep_best", keep_best);
  }
};

/// FedAvg over simulated clients.
struct FederatedConfig {
  std::int64_t rounds = 10;
  std::int64_t local_epochs = 64;
  std::int64_t clients_per_round = 0;  ///< 0: every client (or client_fraction of them)
  double client_fraction = 1.0;
  ClientWeighting weighting = ClientWeighting::examples;
  bool save_client_models = false;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("rounds", rounds, at_least(1));
    v.field("local_epochs", local_epochs, at_least(1));
    v.field("clients_per_round", clients_per_round, at_least(0));
    v.field("client_fraction", client_fraction, Limits{0.0, 1.0, true});
    v.field("weighting", weighting);
    v.field("save_client_models", save_client_models);
  }
};

/// Evaluation (greedy decoding, EM / F1).
struct EvalConfig {
  EvalSplit split = EvalSplit::test;  ///< what `corag eval --checkpoint` scores by default
  bool dev = false;  ///< training also scores each client's dev split on its dev store (selection on dev)
  /// Retrieve at evaluation from the union of the client's test (dev) store and its train store
  /// (paper table 5, "Test + Train store") instead of the test (dev) store alone.
  bool include_train_store = false;
  std::int64_t max_questions = 0;  ///< per client and split; 0: all (a cap makes quick runs quick)
  std::int64_t batch_size = 8;
  std::int64_t max_new_tokens = 32;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("split", split);
    v.field("dev", dev);
    v.field("include_train_store", include_train_store);
    v.field("max_questions", max_questions, at_least(0));
    v.field("batch_size", batch_size, at_least(1));
    v.field("max_new_tokens", max_new_tokens, between(1, 4096));
  }
};

/// Device, precision, threads and seed: applied in one place (see Runtime).
struct RuntimeConfig {
  std::string device = "auto";  ///< cpu, cuda, cuda:N or auto
  Precision precision = Precision::automatic;
  std::int64_t threads = 0;  ///< 0: one per core
  std::int64_t seed = 0;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("device", device);
    v.field("precision", precision);
    v.field("threads", threads, between(0, 4096));
    v.field("seed", seed, at_least(0));
  }
};

/// A whole experiment config.
struct ExperimentConfig {
  ModelConfig model;
  DataConfig data;
  StoreConfig store;
  TrainConfig train;
  FederatedConfig federated;
  EvalConfig eval;
  RuntimeConfig runtime;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.section("model", model);
    v.section("data", data);
    v.section("store", store);
    v.section("train", train);
    v.section("federated", federated);
    v.section("eval", eval);
    v.section("runtime", runtime);
  }

  /// Rules that involve more than one field, or a value's syntax beyond its type.
  std::vector<ConfigProblem> check() const;
  /// The models, CRAB build and store the config names as inputs (require_config_inputs
  /// checks them); the retriever and store only when the run retrieves.
  std::vector<InputPath> input_paths() const;
  /// What reports name as the run's store: store.variant, or "closed-book" without retrieval.
  std::string reported_variant() const { return model.retrieval ? store.variant : "closed-book"; }
};

}  // namespace corag
