// Dense store metadata: the first input byte picks meta.json or rows.bin of a composed store, or
// the root store's meta.json (stores built once from a tiny random retriever); the rest replaces
// that file, and the store is opened and searched.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "corag/models/random_checkpoint.hpp"
#include "corag/models/retriever.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/store/store_composition.hpp"
#include "fuzz_support.hpp"

namespace {

struct Stores {
  std::filesystem::path root, composed;
  torch::Tensor queries;
};

const Stores& stores() {
  static const Stores built = [] {
    const auto dir = corag::fuzz::scratch();
    std::ofstream vocab(dir / "vocab.txt");
    for (const char* token : {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "city", "river", "capital", "of",
                              "france", "paris", "lyon", "##s"}) {
      vocab << token << "\n";
    }
    vocab.close();
    const nlohmann::json config = {{"vocab_size", 14},        {"hidden_size", 8},
                                   {"num_hidden_layers", 1},  {"num_attention_heads", 2},
                                   {"intermediate_size", 16}, {"max_position_embeddings", 32}};
    corag::write_random_retriever(config, dir / "vocab.txt", dir / "retriever", 1);
    std::ofstream corpus(dir / "corpus.jsonl");
    for (int i = 0; i < 12; ++i)
      corpus << "{\"id\": \"p" << i << "\", \"title\": \"city\", \"text\": \"river " << i << "\"}\n";
    corpus.close();
    auto retriever = corag::Retriever::load(dir / "retriever", torch::kCPU);
    corag::StoreBuildOptions options;
    options.chunk_rows = 5;
    corag::DenseStore::build(retriever, dir / "corpus.jsonl", dir / "root", options);
    std::ofstream ids(dir / "ids.txt");
    ids << "p1\np4\np7\n";
    ids.close();
    corag::compose_store({dir / "root"}, dir / "ids.txt", dir / "composed", options);
    return Stores{dir / "root", dir / "composed", retriever.embed_queries({"capital of france", "river"}, 2)};
  }();
  return built;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto& built = stores();
  static const corag::fuzz::FixtureFiles files({{"composed_meta.json", built.composed / "meta.json"},
                                                {"composed_rows.bin", built.composed / "rows.bin"},
                                                {"root_meta.json", built.root / "meta.json"}});
  files.fuzz_one(data, size, [&](std::size_t choice) {
    const corag::DenseStore store(choice == 2 ? built.root : built.composed);
    for (const auto& hits : store.top_k(built.queries, 3, torch::kCPU, torch::kFloat32)) {
      for (const auto& hit : hits) {
        if (hit.row >= store.table().size()) std::abort();
      }
    }
  });
  return 0;
}
