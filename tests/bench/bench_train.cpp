// Training-step time on this machine's CPU, and where it goes:
//   bench_train [scratch-dir] [threads]
// Two shapes, random weights: "tiny" (the test suite's models: BERT 2x32, T5 2x32, top-4,
// batch 4) and "t5-small" (T5 6 layers d_model 512 / d_ff 2048 / 8 heads with a 4-layer
// 256-wide BERT retriever, top-10 passages of 128 tokens, batch 4). Each runs Atlas training
// steps (retrieval over a 2,000-passage Flat store, perplexity distillation, FiD loss, AdamW)
// and reports the mean step time with the share of retrieval, distillation scoring (the
// per-passage reader NLL), reader forward, backward and optimizer; then one FedAvg aggregation
// of two clients of that model size.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"
#include "corag/models/random_checkpoint.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/text/sentencepiece_model.hpp"
#include "corag/train/fedavg_server.hpp"
#include "corag/train/rag_stepper.hpp"
#include "corag/util/rng.hpp"

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> kWords = {"river",  "stone",   "music",  "garden", "winter", "market",
                                         "engine", "harbor",  "castle", "forest", "island", "painter",
                                         "battle", "empire",  "signal", "valley", "bridge", "temple",
                                         "comet",  "lantern", "meadow", "falcon", "copper", "violin"};

struct Shape {
  const char* name;
  nlohmann::json bert, t5;
  std::int64_t n_context, text_maxlength;
  int steps;
};

std::string sentence(corag::Rng& rng, int words) {
  std::string text;
  for (int w = 0; w < words; ++w) text += (w ? " " : "") + kWords[rng.uniform(kWords.size())];
  return text;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  const fs::path scratch = argc > 1 ? argv[1] : "bench_train_scratch";
  corag::RuntimeConfig runtime_config;
  runtime_config.device = "cpu";
  runtime_config.threads = argc > 2 ? std::stoi(argv[2]) : 0;
  const auto runtime = corag::apply_runtime(runtime_config);
  std::printf("threads: %d\n", runtime.threads);
  fs::create_directories(scratch);

  corag::Rng rng(3);
  {
    std::ofstream corpus(scratch / "corpus.jsonl"), text(scratch / "spiece.txt"), vocab(scratch / "vocab.txt");
    for (int i = 0; i < 2000; ++i) {
      const auto title = kWords[rng.uniform(kWords.size())], body = sentence(rng, 90);
      corpus << nlohmann::json{{"id", std::to_string(i)}, {"title", title}, {"text", body}}.dump() << "\n";
      text << title << " " << body << "\n";
    }
    text << "question: answer: title: context:\n";
    vocab << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\n";
    for (const auto& word : kWords) vocab << word << "\n";
  }
  corag::train_sentencepiece(
      "--input=" + (scratch / "spiece.txt").string() + " --model_prefix=" + (scratch / "spiece").string() +
      " --vocab_size=200 --hard_vocab_limit=false --model_type=unigram --pad_id=0 --eos_id=1 --unk_id=2 --bos_id=-1"
      " --minloglevel=2");
  std::vector<corag::QaRecord> questions;
  for (int i = 0; i < 4; ++i)
    questions.push_back({"q" + std::to_string(i), sentence(rng, 8), {kWords[rng.uniform(kWords.size())]}});

  const std::vector<Shape> shapes = {
      {"tiny",
       {{"hidden_size", 32},
        {"num_hidden_layers", 2},
        {"num_attention_heads", 4},
        {"intermediate_size", 64},
        {"max_position_embeddings", 160}},
       {{"d_model", 32}, {"d_kv", 8}, {"d_ff", 64}, {"num_layers", 2}, {"num_heads", 4}},
       4,
       64,
       10},
      {"t5-small",
       {{"hidden_size", 256},
        {"num_hidden_layers", 4},
        {"num_attention_heads", 4},
        {"intermediate_size", 1024},
        {"max_position_embeddings", 160}},
       {{"d_model", 512}, {"d_kv", 64}, {"d_ff", 2048}, {"num_layers", 6}, {"num_heads", 8}},
       10,
       128,
       3},
  };
  for (const auto& shape : shapes) {
    const auto dir = scratch / shape.name;
    corag::write_random_retriever(shape.bert, scratch / "vocab.txt", dir / "retriever", 1);
    corag::write_random_reader(shape.t5, scratch / "spiece.model", dir / "reader", 2);
    corag::ExperimentConfig config;
    config.model.n_context = shape.n_context;
    config.model.text_maxlength = shape.text_maxlength;
    config.model.dropout = 0.1;
    config.train.batch_size = 4;
    auto model = corag::RagModel::load(dir / "reader", dir / "retriever", config.model, runtime.device);
    corag::StoreBuildOptions store_options;
    store_options.batch_size = 64;
    if (!fs::exists(dir / "store" / "meta.json")) {
      corag::DenseStore::build(model.retriever(), scratch / "corpus.jsonl", dir / "store", store_options);
    }
    const corag::DenseStore store(dir / "store");
    std::vector<corag::TrainExample> batch;
    for (const auto& qa : questions) batch.push_back({&qa, &store});

    corag::RagStepper stepper(model, config, runtime,
                              corag::LinearSchedule(0, shape.steps + 1, config.train.lr_floor_ratio));
    stepper.step(batch, 0, 1);  // warm-up, not counted
    const auto warm = stepper.timings();
    const auto start = std::chrono::steady_clock::now();
    for (int step = 1; step <= shape.steps; ++step) stepper.step(batch, step, static_cast<std::uint64_t>(step) + 1);
    const double total = seconds_since(start);
    const auto& t = stepper.timings();
    const double parts[] = {t.retrieval - warm.retrieval, t.distillation - warm.distillation, t.forward - warm.forward,
                            t.backward - warm.backward, t.optimizer - warm.optimizer};
    std::printf(
        "%s: %.3f s/step over %d steps (batch 4, top-%lld, %lld tokens): retrieval %.1f%%, distillation "
        "scoring %.1f%%, reader forward %.1f%%, backward %.1f%%, optimizer %.1f%%\n",
        shape.name, total / shape.steps, shape.steps, static_cast<long long>(shape.n_context),
        static_cast<long long>(shape.text_maxlength), 100 * parts[0] / total, 100 * parts[1] / total,
        100 * parts[2] / total, 100 * parts[3] / total, 100 * parts[4] / total);

    corag::FedAvgServer server(model.trainable_parameters());
    corag::SingleProcessCollective one_process;
    std::int64_t values = 0;
    for (const auto& p : model.trainable_parameters()) values += p.numel();
    const auto aggregate_start = std::chrono::steady_clock::now();
    server.begin_round(2);
    for (int client = 0; client < 2; ++client) {
      server.load_global();
      server.add_client(1);
    }
    server.finish_round(one_process, "bench round");
    const double aggregate = seconds_since(aggregate_start);
    std::printf("%s: FedAvg round of 2 clients over %.1f M parameters: %.3f s (%.2f%% of one local step)\n", shape.name,
                static_cast<double>(values) / 1e6, aggregate, 100 * aggregate / (total / shape.steps));
  }
  return 0;
}
