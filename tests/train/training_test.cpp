// Training on the tiny CRAB world with tiny random models: the properties the regimes must
// have whatever the models learn (FedAvg of one client is local training, the aggregate is the
// weighted mean of the client models, lr 0 changes nothing, the retriever loss reaches only
// the query encoder, a resumed run equals an uninterrupted one, a non-finite loss stops).
#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include <torch/torch.h>

#include "corag/config/config_writer.hpp"
#include "corag/models/weights_fingerprint.hpp"
#include "corag/text/answer_normalization.hpp"
#include "corag/train/crab_clients.hpp"
#include "corag/train/evaluation.hpp"
#include "corag/train/passage_retrieval.hpp"
#include "corag/train/perplexity_distillation.hpp"
#include "corag/train/rag_model.hpp"
#include "corag/train/rag_stepper.hpp"
#include "corag/train/retrieval_diagnostics.hpp"
#include "corag/train/run_checkpoints.hpp"
#include "corag/train/span_corruption_pretraining.hpp"
#include "corag/train/store_catalog.hpp"
#include "corag/train/trainer.hpp"
#include "corag/util/hf_model_tensors.hpp"
#include "corag/util/qa_reader.hpp"
#include "test_support.hpp"
#include "tiny_crab_world.hpp"

using namespace corag;
using Catch::Detail::Approx;
using corag::test::error_message;
using corag::test::read_jsonl;
using corag::test::TempDir;
using corag::test::tiny_crab_world;
using corag::test::tiny_experiment_config;

namespace {

using Tensors = std::map<std::string, torch::Tensor>;

Tensors read_tensors(const std::filesystem::path& model_dir) {
  HfModelTensors file(model_dir);
  Tensors tensors;
  for (const auto& name : file.names()) tensors[name] = file.tensor(name).clone();
  return tensors;
}

/// Reader, query encoder and passage encoder weights of a checkpoint (or pretrained dirs).
Tensors model_tensors(const std::filesystem::path& reader, const std::filesystem::path& retriever,
                      const std::filesystem::path& passage_encoder) {
  Tensors all;
  for (auto& [name, tensor] : read_tensors(reader)) all["reader." + name] = tensor;
  for (auto& [name, tensor] : read_tensors(retriever)) all["query." + name] = tensor;
  for (auto& [name, tensor] : read_tensors(passage_encoder)) all["passage." + name] = tensor;
  return all;
}

Tensors checkpoint_tensors(const std::filesystem::path& checkpoint) {
  return model_tensors(checkpoint / "reader", checkpoint / "retriever", checkpoint / "retriever" / "passage_encoder");
}

Tensors pretrained_tensors() {
  const auto& world = tiny_crab_world();
  return model_tensors(world.reader, world.retriever, world.retriever);
}

std::filesystem::path last_checkpoint(const std::filesystem::path& run_dir) {
  const auto latest = RunCheckpoints(run_dir / "checkpoints", 1).latest();
  REQUIRE(latest.has_value());
  return *latest;
}

nlohmann::json train(const ExperimentConfig& config, const std::filesystem::path& run_dir, bool resume = false,
                     std::int64_t stop_after = 0) {
  TrainRunOptions options;
  options.run_dir = run_dir;
  options.resolved_config_yaml = config_to_yaml(config);
  options.resume = resume;
  options.stop_after = stop_after;
  return run_training(config, options);
}

/// metrics.jsonl without the wall-clock fields.
std::vector<nlohmann::json> metrics(const std::filesystem::path& run_dir) {
  auto lines = read_jsonl(run_dir / "metrics.jsonl");
  for (auto& line : lines) {
    line.erase("wall_s");
    if (line.contains("comm")) line["comm"].erase("aggregation_s");
  }
  return lines;
}

void check_same_tensors(const Tensors& a, const Tensors& b) {
  REQUIRE(a.size() == b.size());
  for (const auto& [name, tensor] : a) {
    INFO(name);
    REQUIRE(b.count(name) == 1);
    CHECK(torch::equal(tensor, b.at(name)));
  }
}

/// Two local steps of one client, evaluated only at the end.
ExperimentConfig two_local_steps_config() {
  auto config = tiny_experiment_config();
  config.train.mode = TrainMode::local;
  config.train.steps = 2;
  config.train.eval_every = 0;
  config.data.clients = 1;
  return config;
}

}  // namespace

TEST_CASE("training: one FedAvg round with one client is local training for the same steps", "[train]") {
  TempDir dir;
  auto config = tiny_experiment_config();
  config.data.clients = 1;
  config.federated.rounds = 1;
  config.federated.local_epochs = 2;  // 4 questions, batch 4: 2 steps
  train(config, dir / "fedavg");
  train(two_local_steps_config(), dir / "local");

  const auto fedavg = checkpoint_tensors(last_checkpoint(dir / "fedavg"));
  check_same_tensors(fedavg, checkpoint_tensors(last_checkpoint(dir / "local")));
  // ... and training did move the weights (the comparison above is not between two no-ops).
  const auto before = pretrained_tensors();
  CHECK_FALSE(torch::equal(fedavg.at("reader.shared.weight"), before.at("reader.shared.weight")));
  CHECK_FALSE(torch::equal(fedavg.at("query.embeddings.word_embeddings.weight"),
                           before.at("query.embeddings.word_embeddings.weight")));
  const auto fed_metrics = metrics(dir / "fedavg"), local_metrics = metrics(dir / "local");
  REQUIRE(fed_metrics.size() == 1);
  REQUIRE(local_metrics.size() == 1);
  for (const char* key : {"em", "f1", "n", "loss_reader", "loss_retriever", "train_steps"}) {
    CHECK(fed_metrics[0][key] == local_metrics[0][key]);
  }
  CHECK(fed_metrics[0]["loss_retriever"].get<double>() > 0);
}

TEST_CASE("training: the FedAvg aggregate is the example-weighted mean of the saved client models", "[train]") {
  TempDir dir;
  // Client 2 keeps 2 of its 4 questions, so the weights are 4/6 and 2/6.
  std::filesystem::copy(tiny_crab_world().crab, dir / "crab", std::filesystem::copy_options::recursive);
  // The build's FAISS stores name their root store relative to themselves.
  std::filesystem::create_directory_symlink(tiny_crab_world().embeddings, dir / "embeddings");
  const auto split = dir / "crab" / "splits" / "train4" / "client_2.jsonl";
  const auto lines = read_jsonl(split);
  corag::test::write_text(split, lines[0].dump() + "\n" + lines[1].dump() + "\n");
  auto config = tiny_experiment_config();
  config.data.crab_dir = (dir / "crab").string();
  config.federated.rounds = 1;
  config.federated.local_epochs = 1;
  config.federated.save_client_models = true;
  train(config, dir / "run");

  const auto client_dir = [&](int client) {
    return dir / "run" / "client_models" / "round-000001" / ("client_" + std::to_string(client));
  };
  const auto one = checkpoint_tensors(client_dir(1)), two = checkpoint_tensors(client_dir(2));
  const auto global = checkpoint_tensors(last_checkpoint(dir / "run"));
  bool clients_differ = false;
  for (const auto& [name, tensor] : global) {
    INFO(name);
    const auto expected =
        one.at(name).to(torch::kFloat64) * (4.0 / 6.0) + two.at(name).to(torch::kFloat64) * (2.0 / 6.0);
    CHECK(torch::allclose(tensor.to(torch::kFloat64), expected, 1e-6, 1e-7));
    clients_differ = clients_differ || !torch::equal(one.at(name), two.at(name));
  }
  CHECK(clients_differ);
  // The passage encoder is frozen everywhere: still the pretrained one.
  const auto before = pretrained_tensors();
  CHECK(torch::equal(global.at("passage.embeddings.word_embeddings.weight"),
                     before.at("passage.embeddings.word_embeddings.weight")));
}

TEST_CASE("training: learning rate 0 leaves every weight unchanged", "[train]") {
  TempDir dir;
  auto config = two_local_steps_config();
  config.train.lr = 0;
  config.train.retriever_lr = 0;
  train(config, dir / "run");
  check_same_tensors(checkpoint_tensors(last_checkpoint(dir / "run")), pretrained_tensors());
}

TEST_CASE("training: train.retriever_lr is the query encoder's rate and train.lr the reader's", "[train]") {
  TempDir dir;
  auto config = two_local_steps_config();
  const auto before = pretrained_tensors();
  const auto count_changed = [&](const std::map<std::string, torch::Tensor>& after, const std::string& prefix) {
    std::size_t changed = 0, total = 0;
    for (const auto& [name, tensor] : after) {
      if (name.rfind(prefix, 0) != 0) continue;
      ++total;
      if (!torch::equal(tensor, before.at(name))) ++changed;
    }
    REQUIRE(total > 0);
    return changed;
  };
  config.train.retriever_lr = 0;
  train(config, dir / "reader-only");
  auto after = checkpoint_tensors(last_checkpoint(dir / "reader-only"));
  CHECK(count_changed(after, "query.") == 0);
  CHECK(count_changed(after, "reader.") > 0);

  config.train.retriever_lr = 1e-3;
  config.train.lr = 0;
  train(config, dir / "retriever-only");
  after = checkpoint_tensors(last_checkpoint(dir / "retriever-only"));
  CHECK(count_changed(after, "query.") > 0);
  CHECK(count_changed(after, "reader.") == 0);
}

TEST_CASE("training: the retriever loss reaches only the query encoder", "[train]") {
  const auto config = tiny_experiment_config();
  const auto& world = tiny_crab_world();
  auto model = RagModel::load(world.reader, world.retriever, config.model, torch::kCPU);
  StoreCatalog catalog(world.crab, world.embeddings, "Flat", "",
                       weights_fingerprint(*model.retriever().passage_encoder()), world.retriever.string());
  const auto& store = *catalog.train_store("REL", 1);
  const auto questions = read_qa_file(world.crab / "splits" / "train4" / "client_1.jsonl");
  std::vector<std::string> texts;
  std::vector<ReaderExample> examples;
  std::vector<std::vector<std::int64_t>> targets;
  for (const auto& qa : questions) {
    texts.push_back(qa.question);
    targets.push_back(model.reader().target_ids(qa.answers.front()));
  }
  model.train(true);
  const auto queries = model.retriever().query_embeddings(texts);
  const auto retrieved = retrieve_passages(queries, std::vector<const DenseStore*>(texts.size(), &store), 4,
                                           torch::kCPU, torch::kFloat32, true);
  REQUIRE(retrieved.mask.all().item<bool>());
  for (std::size_t i = 0; i < texts.size(); ++i) examples.push_back({texts[i], retrieved.passages[i]});
  const auto scores = (queries.unsqueeze(1) * retrieved.embeddings).sum(-1) / std::sqrt(32.0);
  torch::Tensor passage_nll;
  {
    torch::NoGradGuard no_grad;
    passage_nll = model.reader().passage_nll(model.reader().encode(examples), targets);
  }
  perplexity_distillation_loss(scores, passage_nll, retrieved.mask, 1.0, 1.0).backward();

  double query_grad = 0;
  for (const auto& parameter : model.retriever().query_encoder()->parameters()) {
    if (parameter.grad().defined()) query_grad += parameter.grad().abs().sum().item<double>();
  }
  CHECK(query_grad > 0);
  for (const auto& parameter : model.reader().model()->parameters()) {
    CHECK((!parameter.grad().defined() || parameter.grad().abs().sum().item<double>() == 0.0));
  }
  for (const auto& parameter : model.retriever().passage_encoder()->parameters()) {
    CHECK_FALSE(parameter.requires_grad());
    CHECK_FALSE(parameter.grad().defined());
  }
}

TEST_CASE("training: Atlas's retrieval searches the reader query in eval mode and scores it in train mode", "[train]") {
  const auto& world = tiny_crab_world();
  auto config = tiny_experiment_config();
  config.model.dropout = 0.5;
  auto model = RagModel::load(world.reader, world.retriever, config.model, torch::kCPU);
  // Atlas's --dropout reaches the query encoder as well as the reader.
  std::size_t dropouts = 0;
  for (const auto& module : model.retriever().query_encoder()->modules()) {
    if (const auto* dropout = module->as<torch::nn::Dropout>()) {
      CHECK(dropout->options.p() == 0.5);
      ++dropouts;
    }
  }
  CHECK(dropouts > 0);
  StoreCatalog catalog(world.crab, world.embeddings, "Flat", "",
                       weights_fingerprint(*model.retriever().passage_encoder()), world.retriever.string());
  const auto* store = catalog.train_store("REL", 1);
  const auto questions = read_qa_file(world.crab / "splits" / "train4" / "client_1.jsonl");
  std::vector<TrainExample> examples;
  std::vector<std::string> reader_queries, raw_questions;
  for (const auto& qa : questions) {
    examples.push_back({&qa, store});
    reader_queries.push_back("question: " + qa.question + " answer: <extra_id_0>");
    raw_questions.push_back(qa.question);
  }
  const auto hits_of = [&](const std::vector<std::string>& texts, std::size_t k = 4) {
    std::vector<std::vector<std::uint64_t>> rows;
    for (const auto& hits :
         store->top_k(model.retriever().embed_queries(texts, texts.size()), k, torch::kCPU, torch::kFloat32)) {
      rows.emplace_back();
      for (const auto& hit : hits) rows.back().push_back(hit.row);
    }
    return rows;
  };
  const auto expected = hits_of(reader_queries);
  // The two query texts rank the store differently (the random retriever's top 4 can be the
  // same few hub passages for every query, so the whole ranking is compared).
  CHECK(hits_of(reader_queries, store->size()) != hits_of(raw_questions, store->size()));

  Runtime runtime;
  RagStepper stepper(model, config, runtime, LinearSchedule(0, 1, 0.1));
  model.train(true);
  std::vector<torch::Tensor> scores;
  for (int trial = 0; trial < 3; ++trial) {  // dropout is on, yet never reaches the search
    const auto got = stepper.retrieve(examples);
    CHECK(got.retrieved.rows == expected);
    CHECK(got.scores.requires_grad());
    scores.push_back(got.scores);
  }
  CHECK(!torch::allclose(scores[0], scores[1]));  // the scores are computed in train mode

  auto raw = config;
  raw.model.retriever_query = RetrieverQuery::question;
  RagStepper raw_stepper(model, raw, runtime, LinearSchedule(0, 1, 0.1));
  CHECK(raw_stepper.retrieve(examples).retrieved.rows == hits_of(raw_questions));

  // Evaluation searches the same reader query.
  const auto evaluation = evaluate_questions(model, questions, store, config, runtime, "eval");
  for (std::size_t i = 0; i < questions.size(); ++i) {
    std::vector<std::string> ids;
    for (const auto row : expected[i]) ids.emplace_back(store->table().at(row).id);
    CHECK(evaluation.predictions[i]["passages"] == nlohmann::json(ids));
  }

  // Answer recall@k: the questions with a gold answer in one of their k passages. The random
  // retriever ranks filler passages first, so k spans the whole store here.
  auto wide = config;
  wide.model.n_context = static_cast<std::int64_t>(store->size());
  const auto recall = evaluate_questions(model, questions, store, wide, runtime, "eval");
  std::size_t answer_found = 0;
  for (std::size_t i = 0; i < questions.size(); ++i) {
    bool found = false;
    for (const auto& id : recall.predictions[i]["passages"]) {
      const auto text = store->table().at(*store->table().find(id.get<std::string>())).text;
      for (const auto& answer : questions[i].answers) found = found || contains_answer(text, answer);
    }
    answer_found += found ? 1 : 0;
  }
  CHECK(answer_found > 0);
  CHECK(recall.answer_found == answer_found);
}

TEST_CASE("training: the retriever loss is KLDivLoss's mean over batch x k, as Atlas computes it", "[train]") {
  const auto& world = tiny_crab_world();
  auto config = tiny_experiment_config();
  config.train.target = TrainTarget::first;
  config.train.temperature_gold = 0.1;
  config.train.temperature_score = 2.0;
  auto model = RagModel::load(world.reader, world.retriever, config.model, torch::kCPU);
  StoreCatalog catalog(world.crab, world.embeddings, "Flat", "",
                       weights_fingerprint(*model.retriever().passage_encoder()), world.retriever.string());
  const auto* store = catalog.train_store("REL", 1);
  const auto questions = read_qa_file(world.crab / "splits" / "train4" / "client_1.jsonl");
  std::vector<TrainExample> batch;
  for (std::size_t i = 0; i < 2; ++i) batch.push_back({&questions[i], store});

  // By hand, before the step changes the weights (dropout is 0: train and eval mode agree). The
  // batch is embedded and searched as one, as the step does: the random retriever's scores have
  // near-ties that another matrix shape can order differently.
  model.train(false);
  double expected = 0;
  std::vector<std::string> query_texts;
  for (const auto& example : batch) query_texts.push_back(FidReader::query_text(example.qa->question));
  const auto queries = model.retriever().embed_queries(query_texts, query_texts.size());
  const auto batch_hits = store->top_k(queries, 4, torch::kCPU, torch::kFloat32);
  for (std::size_t b = 0; b < batch.size(); ++b) {
    const auto& example = batch[b];
    const auto query = queries[static_cast<std::int64_t>(b)];
    const auto& hits = batch_hits[b];
    REQUIRE(hits.size() == 4);
    ReaderExample reader_example{example.qa->question, {}};
    std::vector<std::uint64_t> rows;
    for (const auto& hit : hits) {
      const auto passage = store->table().at(hit.row);
      reader_example.passages.push_back({std::string(passage.title), std::string(passage.text)});
      rows.push_back(hit.row);
    }
    const auto scores = (store->row_embeddings(rows) * query).sum(-1) / std::sqrt(32.0);
    torch::NoGradGuard no_grad;
    const auto nll = model.reader().passage_nll(model.reader().encode({reader_example}),
                                                {model.reader().target_ids(example.qa->answers.front())})[0];
    std::vector<double> gold, student;
    for (std::int64_t j = 0; j < 4; ++j) {
      gold.push_back(-nll[j].item<double>() / 0.1);
      student.push_back(scores[j].item<double>() / 2.0);
    }
    const auto log_softmax = [](std::vector<double> values) {
      double top = *std::max_element(values.begin(), values.end()), total = 0;
      for (const double v : values) total += std::exp(v - top);
      for (auto& v : values) v -= top + std::log(total);
      return values;
    };
    const auto p = log_softmax(gold), q = log_softmax(student);
    for (std::size_t j = 0; j < 4; ++j) expected += std::exp(p[j]) * (p[j] - q[j]);
  }
  expected /= 2.0 * 4.0;  // torch.nn.KLDivLoss()'s default 'mean': every one of batch x k terms

  Runtime runtime;
  RagStepper stepper(model, config, runtime, LinearSchedule(0, 1, 0.1));
  const auto losses = stepper.step(batch, 0, 11);
  CHECK(expected > 0);
  CHECK(losses.retriever == Approx(expected).epsilon(1e-3));  // float32 against double

  // The optimizer is Atlas's AdamW: eps 1e-6 in both parameter groups.
  REQUIRE(stepper.optimizer().param_groups().size() == 2);
  for (const auto& group : stepper.optimizer().param_groups()) {
    const auto& options = static_cast<const torch::optim::AdamWOptions&>(group.options());
    CHECK(options.eps() == 1e-6);
    CHECK(options.weight_decay() == config.train.weight_decay);
    CHECK(options.lr() == Approx(1e-3));  // no warmup: the first update has the peak rate
  }
}

TEST_CASE("training: the 0 % store trains without passages, dev stores and test + train stores at evaluation",
          "[train]") {
  TempDir dir;
  const auto& world = tiny_crab_world();
  auto config = two_local_steps_config();
  config.store.variant = "ablations/empty";
  config.eval.dev = true;
  config.train.batch_size = 8;  // more than the client's 4 questions: every step uses all 4, and says so
  const auto summary = train(config, dir / "empty");
  for (const auto& line : metrics(dir / "empty")) {
    CHECK(line["loss_retriever"] == 0.0);
    CHECK(line.contains("answer_recall"));  // evaluation retrieves: recall is reported
  }
  CHECK(summary.contains("dev_selected"));
  CHECK(summary["batch_size"] == nlohmann::json{{"configured", 8}, {"smallest_used", 4}});
  const auto ids_of = [&](const std::string& store) {
    std::set<std::string> ids;
    std::istringstream lines(corag::test::read_text(world.crab / "stores" / store / "ids.txt"));
    for (std::string line; std::getline(lines, line);) ids.insert(line);
    return ids;
  };
  const auto retrieved = [&](const std::filesystem::path& file) {
    std::set<std::string> ids;
    for (const auto& line : read_jsonl(file)) {
      for (const auto& id : line["passages"]) ids.insert(id.get<std::string>());
    }
    return ids;
  };
  const auto included = [](const std::set<std::string>& part, const std::set<std::string>& whole) {
    return std::includes(whole.begin(), whole.end(), part.begin(), part.end());
  };
  const auto test_ids = ids_of("test/client_1"), dev_ids = ids_of("dev/client_1"), rel_ids = ids_of("REL");
  const auto point = dir / "empty" / "predictions" / "client1-step-000002";
  CHECK(included(retrieved(point / "client_1.test.jsonl"), test_ids));
  CHECK(included(retrieved(point / "client_1.dev.jsonl"), dev_ids));

  config.store.variant = "REL";
  config.eval.include_train_store = true;
  train(config, dir / "union");
  std::set<std::string> both = test_ids;
  both.insert(rel_ids.begin(), rel_ids.end());
  const auto from_union = retrieved(dir / "union" / "predictions" / "client1-step-000002" / "client_1.test.jsonl");
  CHECK(included(from_union, both));
  CHECK(!included(from_union, test_ids));  // REL passages are retrieved too
  for (const auto& line : metrics(dir / "union"))
    CHECK(line["eval_store"] == line["split"].get<std::string>() + "+train");
}

TEST_CASE("training: a resumed run reaches exactly the metrics and weights of an uninterrupted one", "[train]") {
  TempDir dir;
  for (const auto train_mode : {TrainMode::collaborative, TrainMode::local}) {
    const auto mode = to_string(train_mode);
    INFO(mode);
    auto config = tiny_experiment_config();
    config.train.mode = train_mode;
    config.train.micro_batch_size = 2;  // gradient accumulation on the way
    // keep_checkpoints 1: the checkpoint a run resumed from is pruned by its first new one, and
    // three rounds save once more after that (the tokenizer used to be copied from there).
    config.train.keep_checkpoints = 1;
    config.federated.rounds = 3;
    config.federated.local_epochs = 1;
    const auto whole = dir / (mode + "-whole"), split = dir / (mode + "-split");
    const auto summary = train(config, whole);
    REQUIRE_FALSE(summary.is_null());
    CHECK(train(config, split, false, 1).is_null());
    CHECK(metrics(split).size() < metrics(whole).size());
    CHECK(error_message([&] { train(config, split); }).find("--resume") != std::string::npos);
    auto other = config;
    other.train.lr = 0.5;
    // The refusal lists the keys that differ, with the run's value and the new one.
    const auto changed = error_message([&] { train(other, split, true); });
    CHECK_THAT(changed, Catch::Contains("config differs") &&
                            Catch::Contains("\n  train.lr: 0.001 -> 0.5\n"));  // tiny_experiment_config's 1e-3
    CHECK(changed.find("train.steps") == std::string::npos);                   // only what differs
    // An edited state.json or a truncated metrics.jsonl is refused, not continued from.
    const auto state_file = last_checkpoint(split) / "state" / "state.json";
    const auto state_text = corag::test::read_text(state_file);
    auto edited = nlohmann::json::parse(state_text);
    edited[train_mode == TrainMode::local ? "step" : "round"] = 99;
    corag::test::write_text(state_file, edited.dump());
    CHECK_THAT(error_message([&] { train(config, split, true); }),
               Catch::Contains("state.json") && Catch::Contains("for this run, got 99"));
    edited = nlohmann::json::parse(state_text);
    edited["mode"] = "centralized";
    corag::test::write_text(state_file, edited.dump());
    CHECK_THAT(error_message([&] { train(config, split, true); }), Catch::Contains("is not this run's"));
    // metrics_lines counted down: the resumed run would cut lines of eval points it never redoes.
    edited = nlohmann::json::parse(state_text);
    edited["metrics_lines"] = edited["metrics_lines"].get<std::int64_t>() - 1;
    corag::test::write_text(state_file, edited.dump());
    CHECK_THAT(error_message([&] { train(config, split, true); }),
               Catch::Contains("metrics.jsonl:") && Catch::Contains("the state and the metrics disagree"));
    // Other clients in training (local over ranks) whose models the checkpoint does not hold.
    edited = nlohmann::json::parse(state_text);
    edited["other_clients"] = {
        {{"client", 2}, {"step", 1}, {"records", nlohmann::json::array()}, {"scalars", nlohmann::json::array()}}};
    corag::test::write_text(state_file, edited.dump());
    CHECK_THAT(error_message([&] { train(config, split, true); }),
               Catch::Contains(train_mode == TrainMode::local ? "other_clients: client 2: its model is missing"
                                                              : "other_clients: only a local run"));
    // A sequence that is not the folder's: the next checkpoint would be written over an older one.
    edited = nlohmann::json::parse(state_text);
    edited["sequence"] = 0;
    corag::test::write_text(state_file, edited.dump());
    CHECK_THAT(error_message([&] { train(config, split, true); }),
               Catch::Contains("state.json: sequence 0 is not its folder's number (ckpt-"));
    corag::test::write_text(state_file, state_text);
    const auto metrics_text = corag::test::read_text(split / "metrics.jsonl");
    corag::test::write_text(split / "metrics.jsonl", "");
    CHECK_THAT(error_message([&] { train(config, split, true); }),
               Catch::Contains("lines the run had written are lost"));
    corag::test::write_text(split / "metrics.jsonl", metrics_text);

    CHECK(train(config, split, true) == summary);
    CHECK(metrics(split) == metrics(whole));
    check_same_tensors(checkpoint_tensors(last_checkpoint(split)), checkpoint_tensors(last_checkpoint(whole)));
    CHECK(corag::test::read_text(split / "table.md") == corag::test::read_text(whole / "table.md"));
    // scalars.csv: one row per training step, the same after a resume (the steps after the
    // checkpoint it resumed from are not listed twice).
    CHECK(corag::test::read_text(split / "scalars.csv") == corag::test::read_text(whole / "scalars.csv"));
    // train.keep_best (on by default): best/ holds the reported point's models as HF folders, the
    // same after a resume; a local run's for every client.
    const char* point = train_mode == TrainMode::local ? "step" : "round";
    const auto best = nlohmann::json::parse(corag::test::read_text(whole / "best" / "best.json"));
    CHECK(best[point] == summary["best"][point]);
    CHECK(corag::test::read_text(split / "best" / "best.json") == corag::test::read_text(whole / "best" / "best.json"));
    for (const auto& model : train_mode == TrainMode::local
                                 ? std::vector<std::string>{"client_1/reader", "client_2/retriever"}
                                 : std::vector<std::string>{"reader", "retriever"}) {
      INFO(model);
      check_same_tensors(read_tensors(split / "best" / model), read_tensors(whole / "best" / model));
      CHECK(std::filesystem::exists(whole / "best" / model / "config.json"));
    }
    CHECK_FALSE(std::filesystem::exists(whole / "best-candidates"));
    CHECK(corag::test::read_text(last_checkpoint(split) / "reader" / "spiece.model") ==
          corag::test::read_text(std::filesystem::path(config.model.reader) / "spiece.model"));
    // The optimizer state is byte-identical too (LibTorch's archive keyed it by memory address).
    const auto optimizer = [&](const std::filesystem::path& run) {
      return last_checkpoint(run) / "state" / "optimizer.safetensors";
    };
    if (train_mode == TrainMode::local) {
      REQUIRE(std::filesystem::exists(optimizer(whole)));
      CHECK(corag::test::read_text(optimizer(split)) == corag::test::read_text(optimizer(whole)));
    }
    // Killed between the last checkpoint's rename and the pruning (so before the summary too): one
    // checkpoint too many, which the resumed run prunes before it writes the summary.
    const auto late = dir / (mode + "-late");
    std::filesystem::copy(whole, late, std::filesystem::copy_options::recursive);
    std::filesystem::remove(late / "summary.json");
    std::filesystem::copy(last_checkpoint(late), late / "checkpoints" / "ckpt-000000",
                          std::filesystem::copy_options::recursive);
    CHECK(train(config, late, true) == summary);
    const auto listing = [](const std::filesystem::path& run) {
      std::set<std::string> names;
      for (const auto& entry : std::filesystem::directory_iterator(run / "checkpoints"))
        names.insert(entry.path().filename().string());
      return names;
    };
    CHECK(listing(late) == listing(whole));
  }
}

TEST_CASE("training: closed-book and centralized runs write the paper's reporting", "[train]") {
  TempDir dir;
  auto config = tiny_experiment_config();
  config.model.retrieval = false;
  config.train.mode = TrainMode::centralized;
  config.eval.dev = true;
  const auto summary = train(config, dir / "run");
  CHECK(summary["mode"] == "centralized");
  CHECK(summary["variant"] == "closed-book");
  CHECK(summary["average"]["averaging"] == "micro");
  const auto lines = metrics(dir / "run");
  REQUIRE(lines.size() == 2 * 2 * 2);  // 2 eval points x 2 clients x {test, dev}
  for (const auto& line : lines) {
    CHECK(line["loss_retriever"] == 0.0);
    CHECK_FALSE(line.contains("answer_recall"));  // closed-book retrieves nothing
    CHECK(line["loss_reader"].get<double>() > 0);
    CHECK(line["n"] == (line["split"] == "test" ? 4 : 2));
  }
  const auto predictions = read_jsonl(dir / "run" / "predictions" / "step-000004" / "client_2.test.jsonl");
  REQUIRE(predictions.size() == 4);
  CHECK_FALSE(predictions[0].contains("passages"));
  for (const char* file : {"config.resolved.yaml", "summary.json", "table.md"})
    CHECK(std::filesystem::exists(dir / "run" / file));
  CHECK_FALSE(std::filesystem::exists(dir / "run" / "checkpoints" / "ckpt-000001"));  // keep_checkpoints: 1
  CHECK(std::filesystem::exists(dir / "run" / "checkpoints" / "ckpt-000002" / "state" / "optimizer.safetensors"));
}

TEST_CASE("training: a non-finite loss stops the run before any weight or checkpoint changes", "[train]") {
  TempDir dir;
  const auto& world = tiny_crab_world();
  auto config = tiny_experiment_config();
  {
    auto reader = FidReader::load(world.reader, torch::kCPU);
    torch::NoGradGuard no_grad;
    reader.model()->named_parameters()["shared.weight"].fill_(std::numeric_limits<float>::quiet_NaN());
    reader.save(dir / "nan-reader");
  }
  config.model.reader = (dir / "nan-reader").string();
  config.train.mode = TrainMode::local;
  const auto message = error_message([&] { train(config, dir / "run"); });
  CHECK(message.find("training step 1: the loss is not finite") != std::string::npos);
  CHECK(message.find("client1") != std::string::npos);
  CHECK_FALSE(RunCheckpoints(dir / "run" / "checkpoints", 1).latest().has_value());
}

TEST_CASE("training: clients_per_round samples that many clients per round, seeded", "[train]") {
  TempDir dir;
  auto config = tiny_experiment_config();
  config.federated.rounds = 3;
  config.federated.local_epochs = 1;
  config.federated.clients_per_round = 1;
  train(config, dir / "a");
  const auto lines = metrics(dir / "a");
  REQUIRE(lines.size() == 6);  // every client is evaluated after every round
  for (std::size_t round = 0; round < 3; ++round) {
    const auto& one = lines[2 * round];
    const auto& two = lines[2 * round + 1];
    CHECK(one["train_steps"].get<int>() + two["train_steps"].get<int>() == 1);  // one client trained one step
  }
  train(config, dir / "b");
  CHECK(metrics(dir / "b") == lines);
}

TEST_CASE("reader pretraining: source_only_steps reads the source passage alone, then its neighbours too",
          "[train][pretrain]") {
  const auto& world = tiny_crab_world();
  const std::vector<ReaderPassage> passages = {
      {"Ras Kelven", "Ras Kelven was a sculptor born in En in 1709. He joined Fenhal Bank as a young sculptor."},
      {"Loul Quinsel", "Loul Quinsel was a poet born in Loford in 1891. She worked for Verbar Mills."},
      {"Fen Mormarquin", "Born in Selholm in 1901, Fen Mormarquin became a well-known botanist."},
      {"Verbar Mills", "Verbar Mills was founded in 1788 by Loul Quinsel. It is headquartered in Orwick."}};
  // The source first (include_source), then two neighbours.
  const std::vector<std::vector<std::size_t>> with_neighbours = {{0, 1, 2}, {1, 3, 0}, {2, 0, 3}, {3, 1, 2}};
  const std::vector<std::vector<std::size_t>> source_alone = {{0}, {1}, {2}, {3}};
  PretrainReaderConfig config;
  config.steps = 4;
  config.batch_size = 2;
  config.query_words = 6;
  config.text_maxlength = 48;
  config.target_maxlength = 12;
  const Runtime runtime = apply_runtime(tiny_experiment_config().runtime);
  const auto pretrain = [&](const std::vector<std::vector<std::size_t>>& context, std::int64_t source_only_steps) {
    auto reader = FidReader::load(world.reader, runtime.device);
    auto run = config;
    run.source_only_steps = source_only_steps;
    pretrain_reader_span_corruption(reader, passages, context, run, runtime);
    return weights_fingerprint(*reader.model());
  };
  const auto alone = pretrain(source_alone, 0);
  CHECK(pretrain(with_neighbours, 4) == alone);  // every step reads the source alone
  CHECK(pretrain(with_neighbours, 2) != alone);  // the last two read the neighbours too
  CHECK(pretrain(with_neighbours, 2) != pretrain(with_neighbours, 0));
}

TEST_CASE("training: a CRAB folder without its manifest (an unfinished build) is refused", "[train]") {
  const auto& world = test::tiny_crab_world();
  TempDir dir;
  std::filesystem::create_directories(dir / "crab");
  std::filesystem::copy(world.crab / "splits", dir / "crab/splits", std::filesystem::copy_options::recursive);
  CHECK_THAT(error_message([&] { load_crab_clients(dir / "crab", 4, 2); }),
             Catch::Contains("manifest.json is missing"));
  std::filesystem::copy_file(world.crab / "manifest.json", dir / "crab/manifest.json");
  CHECK(load_crab_clients(dir / "crab", 4, 2).size() == 2);
  // A shot count whose folder a stale build left behind but the manifest does not list.
  std::filesystem::copy(dir / "crab/splits/train4", dir / "crab/splits/train5",
                        std::filesystem::copy_options::recursive);
  CHECK_THAT(error_message([&] { load_crab_clients(dir / "crab", 5, 2); }),
             Catch::Contains("data.shots 5 is not among the shots"));
}

TEST_CASE("training: scalars.csv lists every step's losses, learning rates and gradient norm", "[train]") {
  TempDir dir;
  auto config = two_local_steps_config();
  config.train.warmup_steps = 1;
  train(config, dir / "run");
  std::istringstream lines(corag::test::read_text(dir / "run" / "scalars.csv"));
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(lines, line);) {
    rows.emplace_back();
    std::istringstream fields(line);
    for (std::string field; std::getline(fields, field, ',');) rows.back().push_back(field);
    if (line.back() == ',') rows.back().emplace_back();
  }
  REQUIRE(rows.size() == 3);  // the header and two steps
  CHECK(rows[0] == std::vector<std::string>{"who", "round", "step", "loss_reader", "loss_retriever", "lr_reader",
                                            "lr_retriever", "grad_norm"});
  const LinearSchedule schedule(1, 2, config.train.lr_floor_ratio);
  double reader_loss = 0;
  for (std::size_t step = 1; step <= 2; ++step) {
    const auto& row = rows[step];
    INFO(step);
    REQUIRE(row.size() == 8);
    CHECK(row[0] == "client1");
    CHECK(row[1].empty());  // no FedAvg round
    CHECK(row[2] == std::to_string(step));
    CHECK(std::stod(row[5]) == Approx(config.train.lr * schedule.factor(static_cast<std::int64_t>(step) - 1)));
    CHECK(std::stod(row[6]) ==
          Approx(config.train.retriever_lr * schedule.factor(static_cast<std::int64_t>(step) - 1)));
    CHECK(std::stod(row[7]) > 0);
    reader_loss += std::stod(row[3]);
  }
  // The eval point's record carries the mean of the steps since the last point.
  const auto records = metrics(dir / "run");
  REQUIRE_FALSE(records.empty());
  CHECK(records[0]["loss_reader"].get<double>() == Approx(reader_loss / 2).epsilon(1e-6));
}

TEST_CASE("training: retrieval diagnostics of a client's evaluation, recomputed from the CRAB files", "[train]") {
  TempDir dir;
  const auto& world = tiny_crab_world();
  auto config = tiny_experiment_config();
  auto model = RagModel::load(world.reader, world.retriever, config.model, torch::kCPU);
  StoreCatalog catalog(world.crab, world.embeddings, "Flat", dir / "stores",
                       weights_fingerprint(*model.retriever().passage_encoder()), world.retriever.string());
  const auto clients = load_crab_clients(world.crab, 4, 2);
  const RetrievalDiagnostics diagnostics(CrabLayout(world.crab), clients);

  using Ids = std::set<std::string>;
  const auto ids_of = [](const nlohmann::json& list) {
    Ids ids;
    for (const auto& id : list) ids.insert(id.get<std::string>());
    return ids;
  };
  std::map<std::string, std::pair<Ids, Ids>> test_judged;  // question -> (relevant, hard negatives)
  for (const auto& line : read_jsonl(world.crab / "classification" / "test.jsonl"))
    test_judged[line["id"]] = {ids_of(line["relevant"]), ids_of(line["hard_negatives"])};
  std::map<std::string, int> train_owner;
  for (const auto& client : clients) {
    for (const auto& qa : client.train) train_owner[qa.id] = client.index;
  }
  std::map<std::string, std::set<int>> contributors;
  for (const auto& line : read_jsonl(world.crab / "classification" / "train.jsonl")) {
    const auto owner = train_owner.find(line["id"].get<std::string>());
    if (owner == train_owner.end()) continue;
    for (const char* key : {"relevant", "hard_negatives"})
      for (const auto& passage : line[key]) contributors[passage.get<std::string>()].insert(owner->second);
  }
  std::map<std::string, std::string> text_of;
  for (const auto& line : read_jsonl(world.dir / "corpus.jsonl")) text_of[line["id"].get<std::string>()] = line["text"];

  std::set<bool> own_seen, others_seen;
  for (const auto& client : clients) {
    INFO("client " << client.index);
    // The client's test questions against the whole shared REL store, every passage ranked (the
    // random retriever's top few are the same filler for all): what the shared store serves.
    const auto* shared = catalog.train_store("REL", client.index);
    REQUIRE(shared != nullptr);
    auto wide = config;
    wide.model.n_context = static_cast<std::int64_t>(shared->size());
    const auto evaluation = evaluate_questions(model, client.test, shared, wide, Runtime{}, "diagnostics");
    const auto measured = diagnostics.measure(client, EvalSplit::test, evaluation, *shared);
    double slots = 0, relevant = 0, hard = 0, own = 0, others = 0, wrong = 0, copied = 0;
    for (const auto& prediction : evaluation.predictions) {
      const auto& [relevant_ids, hard_ids] = test_judged.at(prediction["id"].get<std::string>());
      bool near_miss = false;
      for (const auto& passage : prediction["passages"]) {
        const auto id = passage.get<std::string>();
        ++slots;
        relevant += static_cast<double>(relevant_ids.count(id));
        if (hard_ids.count(id) > 0) {
          ++hard;
          near_miss = near_miss || contains_answer(text_of.at(id), prediction["prediction"].get<std::string>());
        }
        if (contributors.count(id) > 0) (contributors[id].count(client.index) > 0 ? own : others) += 1;
      }
      if (prediction["em"] == 0.0 && !normalize_answer(prediction["prediction"].get<std::string>()).empty()) {
        ++wrong;
        copied += near_miss ? 1 : 0;
      }
    }
    REQUIRE(slots > 0);
    CHECK(measured["retrieved_relevant"].get<double>() == Approx(100 * relevant / slots));
    CHECK(measured["retrieved_hard_negative"].get<double>() == Approx(100 * hard / slots));
    CHECK(measured["retrieved_irrelevant"].get<double>() == Approx(100 * (slots - relevant - hard) / slots));
    CHECK(measured["retrieved_own"].get<double>() == Approx(100 * own / slots));
    CHECK(measured["retrieved_other_clients"].get<double>() == Approx(100 * others / slots));
    CHECK(measured["retrieved_no_client"].get<double>() == Approx(100 * (slots - own - others) / slots));
    CHECK(measured["wrong_from_hard_negative"].get<double>() == Approx(wrong > 0 ? 100 * copied / wrong : 0.0));
    own_seen.insert(own > 0);
    others_seen.insert(others > 0);
  }
  CHECK(own_seen.count(true) == 1);  // the shared store holds each client's and the others' passages
  CHECK(others_seen.count(true) == 1);
  // A training run's eval records carry the same fields.
  const auto summary = train(two_local_steps_config(), dir / "run");
  REQUIRE_FALSE(summary.is_null());
  for (const auto& record : metrics(dir / "run")) {
    for (const char* field : {"retrieved_relevant", "retrieved_hard_negative", "retrieved_irrelevant", "retrieved_own",
                              "retrieved_other_clients", "retrieved_no_client", "wrong_from_hard_negative"})
      CHECK(record.contains(field));
  }
}
