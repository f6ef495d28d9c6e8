#include "tiny_crab_world.hpp"

#include <fstream>
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "corag/config/config_reader.hpp"
#include "corag/config/config_writer.hpp"
#include "corag/crab/crab_builder.hpp"
#include "corag/models/random_checkpoint.hpp"
#include "corag/models/retriever.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/util/qa_reader.hpp"
#include "corag/util/rng.hpp"
#include "model_fixtures.hpp"
#include "test_support.hpp"

namespace corag::test {
namespace {

void write_world_files(const std::filesystem::path& dir) {
  const auto questions = read_qa_file(std::string(CORAG_NQ_OPEN_DIR) + "/NQ-open.dev.jsonl");
  std::ofstream corpus(dir / "corpus.jsonl");
  std::ofstream test_pool(dir / "test_pool.jsonl");
  std::ofstream train_pool(dir / "train_pool.jsonl");
  std::size_t id = 0;
  for (std::size_t i = 0; i < 48; ++i) {
    const auto& qa = questions[i];
    const auto& answer = qa.answers.front();
    corpus << nlohmann::json{{"id", std::to_string(id++)},
                             {"title", answer},
                             {"text", qa.question + " The answer is " + answer + "."}}
                  .dump()
           << "\n";
    corpus << nlohmann::json{{"id", std::to_string(id++)},
                             {"title", "Notes"},
                             {"text", qa.question + " is asked often."}}
                  .dump()
           << "\n";
    (i < 12 ? test_pool : train_pool) << nlohmann::json{{"question", qa.question}, {"answers", qa.answers}}.dump()
                                      << "\n";
  }
  const std::vector<std::string> words = {"river", "stone", "music", "garden", "winter", "market", "engine", "harbor"};
  Rng rng(7);
  for (int i = 0; i < 120; ++i) {
    std::string text;
    for (int w = 0; w < 10; ++w) text += (w ? " " : "") + words[rng.uniform(words.size())];
    corpus << nlohmann::json{{"id", std::to_string(id++)}, {"title", "Filler"}, {"text", text}}.dump() << "\n";
  }
}

}  // namespace

const TinyCrabWorld& tiny_crab_world() {
  static const auto dir = std::make_unique<TempDir>();
  static const TinyCrabWorld world = [] {
    TinyCrabWorld w{dir->path(), dir->path() / "reader", dir->path() / "retriever", dir->path() / "embeddings",
                    dir->path() / "crab"};
    write_world_files(w.dir);
    auto bert = nlohmann::json::parse(tiny_bert_config_json());
    bert["hidden_dropout_prob"] = 0.1;  // exercised by the seeded dropout of training steps
    write_random_retriever(bert, tiny_vocab_file(), w.retriever, 1);
    write_random_reader(nlohmann::json::parse(tiny_t5_config_json(false)), tiny_spiece_model(), w.reader, 2);
    auto retriever = Retriever::load(w.retriever, torch::kCPU);
    StoreBuildOptions store_options;
    store_options.batch_size = 32;
    DenseStore::build(retriever, w.dir / "corpus.jsonl", w.embeddings, store_options);
    write_text(w.dir / "crab.yaml", "data:\n  train_pool: [" + (w.dir / "train_pool.jsonl").string() +
                                        "]\n  test_pool: " + (w.dir / "test_pool.jsonl").string() +
                                        "\n  corpus: " + (w.dir / "corpus.jsonl").string() +
                                        "\nsplits:\n  clients: 2\n  shots: [4, 8]\n  dev_size: 4\n  test_size: 8\n"
                                        "stores:\n  test_fraction: 0.05\n  rel1_client: 2\n  embeddings: " +
                                        w.embeddings.string() + "\nbuild:\n  threads: 1\n");
    const auto crab_config = load_config<CrabConfig>(w.dir / "crab.yaml", {});
    build_crab(crab_config, config_to_yaml(crab_config), w.crab, crab_build_variants());
    return w;
  }();
  return world;
}

std::filesystem::path tiny_crab_build(int clients) {
  REQUIRE(clients >= 1);
  REQUIRE(clients <= 4);  // the pools hold 12 test and 36 training questions
  static std::map<int, std::filesystem::path> built;
  if (const auto found = built.find(clients); found != built.end()) return found->second;
  const auto& world = tiny_crab_world();
  const auto dir = world.dir / ("crab-" + std::to_string(clients) + "-clients");
  const auto config_file = world.dir / ("crab-" + std::to_string(clients) + "-clients.yaml");
  write_text(config_file, "data:\n  train_pool: [" + (world.dir / "train_pool.jsonl").string() +
                              "]\n  test_pool: " + (world.dir / "test_pool.jsonl").string() +
                              "\n  corpus: " + (world.dir / "corpus.jsonl").string() + "\nsplits:\n  clients: " +
                              std::to_string(clients) + "\n  shots: [4]\n  dev_size: " + std::to_string(2 * clients) +
                              "\n  test_size: " + std::to_string(3 * clients) + "\n" +
                              "stores:\n  test_fraction: 0.05\n  rel1_client: 1\n  embeddings: " +
                              world.embeddings.string() + "\nbuild:\n  threads: 1\n");
  const auto crab_config = load_config<CrabConfig>(config_file, {});
  build_crab(crab_config, config_to_yaml(crab_config), dir, crab_build_variants());
  return built[clients] = dir;
}

ExperimentConfig tiny_experiment_config() {
  const auto& world = tiny_crab_world();
  ExperimentConfig config;
  config.model.reader = world.reader.string();
  config.model.retriever = world.retriever.string();
  config.model.n_context = 4;
  config.model.text_maxlength = 48;
  config.model.answer_maxlength = 12;
  config.model.dropout = 0.0;
  config.data.crab_dir = world.crab.string();
  config.data.shots = 4;
  config.data.clients = 2;
  config.store.variant = "REL";
  config.store.embeddings = world.embeddings.string();
  config.train.mode = TrainMode::collaborative;
  config.train.steps = 4;
  config.train.warmup_steps = 0;
  config.train.eval_every = 2;
  config.train.batch_size = 4;
  config.train.lr = 1e-3;
  config.train.retriever_lr = 1e-3;
  config.federated.rounds = 2;
  config.federated.local_epochs = 2;
  config.eval.max_new_tokens = 6;
  config.eval.batch_size = 4;
  config.runtime.device = "cpu";
  config.runtime.threads = 2;
  return config;
}

}  // namespace corag::test
