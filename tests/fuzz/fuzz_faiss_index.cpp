// FAISS index files (a store's index.faiss): the input is the file, read by FaissIndex::read
// (the walk of faiss_file_check, FAISS's own reader, the structure check) and, when accepted,
// searched. With CORAG_FUZZ_SEEDS=DIR set, a small index of every kind corag builds is written
// into DIR, which is how tests/fuzz/corpus/fuzz_faiss_index was made.
#include <cstdlib>
#include <random>

#include "corag/store/faiss_index.hpp"
#include "fuzz_support.hpp"

namespace {

constexpr std::int64_t kDim = 8;

std::vector<float> random_vectors(std::int64_t n, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal;
  std::vector<float> values(static_cast<std::size_t>(n * kDim));
  for (auto& value : values) value = normal(generator);
  return values;
}

void write_seeds(const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  // Small files: 64 vectors, trained on 300 (OPQ trains an 8-bit quantizer: 256 centroids).
  const auto vectors = random_vectors(300, 1);
  const corag::FloatRows training{vectors.data(), 300, kDim}, rows{vectors.data(), 64, kDim};
  for (const std::string factory : {"Flat", "HNSW4", "HNSW4,SQ8", "IVF2,Flat", "IVF2_HNSW4,Flat", "IVF2,PQ2x4",
                                    "IVF2,SQ8", "PQ2x4", "SQ4", "OPQ2,IVF2,PQ2x4", "PCA4,Flat"}) {
    auto index = corag::FaissIndex::create(factory, kDim);
    if (index.needs_training()) index.train(training);
    index.add(rows);
    auto name = factory;
    for (auto& c : name) c = c == ',' ? '-' : c;
    index.write(dir / (name + ".faiss"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool seeded = [] {
    if (const char* seeds = std::getenv("CORAG_FUZZ_SEEDS")) write_seeds(seeds);
    return true;
  }();
  (void)seeded;
  static const auto queries = random_vectors(3, 2);
  const auto path = corag::fuzz::input_file("index.faiss", data, size);
  corag::fuzz::refusal_is_fine([&] {
    const auto index = corag::FaissIndex::read(path);
    if (index.dim() != kDim) return;  // searched only with queries of its own dimension
    for (const auto& hits : index.search({queries.data(), 3, kDim}, 4)) {
      for (const auto& hit : hits) {
        if (hit.row >= static_cast<std::size_t>(index.size())) std::abort();
      }
    }
  });
  return 0;
}
