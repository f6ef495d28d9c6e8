// Dense store metadata: the first input byte picks meta.json or rows.bin of a composed store, or
// the root store's meta.json (stores built once from a tiny random retriever); the rest replaces
// that file, and the store is opened and searched.
#include <torch/torch.h>

#include <vector>

#include <nlohmann/json.hpp>

#include "corag/models/random_checkpoint.hpp"
#include "corag/models/retriever.hpp"
#include "corag/store/dense_store.hpp"
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
    corag::DenseStore::compose({dir / "root"}, dir / "ids.txt", dir / "composed", options);
    return Stores{dir / "root", dir / "composed", retriever.embed_queries({"capital of france", "river"}, 2)};
  }();
  return built;
}

std::string read_all(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const auto& built = stores();
  const std::filesystem::path files[] = {built.composed / "meta.json", built.composed / "rows.bin",
                                         built.root / "meta.json"};
  const auto choice = data[0] % 3;
  static const auto originals = [&] {
    std::vector<std::string> contents;
    const char* names[] = {"composed_meta.json", "composed_rows.bin", "root_meta.json"};
    for (std::uint8_t i = 0; i < 3; ++i) {
      contents.push_back(read_all(files[i]));
      corag::fuzz::write_seed(names[i], i, contents.back());
    }
    return contents;
  }();
  corag::fuzz::write_bytes(files[choice], data + 1, size - 1);
  corag::fuzz::refusal_is_fine([&] {
    const corag::DenseStore store(choice == 2 ? built.root : built.composed);
    for (const auto& hits : store.top_k(built.queries, 3, torch::kCPU, torch::kFloat32)) {
      for (const auto& hit : hits) {
        if (hit.row >= store.table().size()) std::abort();
      }
    }
  });
  const auto& original = originals[choice];
  corag::fuzz::write_bytes(files[choice], reinterpret_cast<const std::uint8_t*>(original.data()), original.size());
  return 0;
}
