// FAISS index files crafted to be consistent enough for FAISS's reader but not for its search
// (ids past the vector count, arrays of the wrong size): FaissIndex::read refuses each, naming the
// file and the field; every kind of index corag builds reads back and searches as before.
#include <algorithm>

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/VectorTransform.h>
#include <faiss/index_io.h>
#include <faiss/invlists/InvertedLists.h>

#include <functional>
#include <memory>

#include <torch/torch.h>

#include "corag/store/faiss_index.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::TempDir;

namespace {

constexpr std::int64_t kDim = 16;

/// `n` random vectors of kDim, as FaissIndex takes them.
struct RandomVectors {
  RandomVectors(std::int64_t n, std::uint64_t seed) {
    torch::manual_seed(seed);
    values = torch::randn({n, kDim}).contiguous();
  }
  operator FloatRows() const { return {values.data_ptr<float>(), values.size(0), kDim}; }
  torch::Tensor values;
};

/// Builds `factory` over 300 vectors and writes it to `path`.
void build(const std::string& factory, const std::filesystem::path& path) {
  auto index = FaissIndex::create(factory, kDim);
  if (index.needs_training()) index.train(RandomVectors(300, 1));
  index.add(RandomVectors(300, 1));
  index.write(path);
}

/// Reads `path` with FAISS itself, applies `damage` and writes it back: a crafted file.
void craft(const std::filesystem::path& path, const std::function<void(faiss::Index&)>& damage) {
  std::unique_ptr<faiss::Index> index(faiss::read_index(path.c_str()));
  damage(*index);
  faiss::write_index(index.get(), path.c_str());
}

template <typename Kind>
Kind& as(faiss::Index& index) {
  auto* kind = dynamic_cast<Kind*>(&index);
  REQUIRE(kind != nullptr);
  return *kind;
}

faiss::ArrayInvertedLists& lists_of(faiss::Index& index) {
  auto* lists = dynamic_cast<faiss::ArrayInvertedLists*>(as<faiss::IndexIVF>(index).invlists);
  REQUIRE(lists != nullptr);
  return *lists;
}

}  // namespace

TEST_CASE("faiss structure: every kind of index corag builds reads back and searches as before", "[store]") {
  TempDir dir;
  const RandomVectors queries(6, 2);
  for (const auto* factory : {"Flat", "HNSW8", "HNSW8,SQ8", "IVF4,Flat", "IVF4_HNSW4,Flat", "IVF4,PQ4x4", "IVF4,SQ8",
                              "IVF4,SQfp16", "PQ4x4", "SQ4", "OPQ4,IVF4,PQ4x4", "PCA8,Flat"}) {
    INFO(factory);
    auto built = FaissIndex::create(factory, kDim);
    if (built.needs_training()) built.train(RandomVectors(300, 1));
    built.add(RandomVectors(300, 1));
    const auto expected = built.search(queries, 5);
    built.write(dir / "index.faiss");
    const auto read = FaissIndex::read(dir / "index.faiss");
    CHECK(read.size() == 300);
    const auto found = read.search(queries, 5);
    REQUIRE(found.size() == expected.size());
    for (std::size_t q = 0; q < found.size(); ++q) {
      REQUIRE(found[q].size() == expected[q].size());
      for (std::size_t j = 0; j < found[q].size(); ++j) {
        CHECK(found[q][j].row == expected[q][j].row);
        CHECK(found[q][j].score == expected[q][j].score);
      }
    }
  }
}

TEST_CASE("faiss structure: crafted indexes are refused naming the file and the field", "[store]") {
  struct Case {
    const char* name;
    const char* factory;
    std::function<void(faiss::Index&)> damage;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"HNSW neighbour past the end", "HNSW8", [](faiss::Index& i) { as<faiss::IndexHNSW>(i).hnsw.neighbors[3] = 500; },
       "neighbour id 500"},
      {"HNSW negative neighbour", "HNSW8", [](faiss::Index& i) { as<faiss::IndexHNSW>(i).hnsw.neighbors[0] = -7; },
       "neighbour id -7"},
      {"HNSW entry point", "HNSW8", [](faiss::Index& i) { as<faiss::IndexHNSW>(i).hnsw.entry_point = 300; },
       "entry point 300"},
      {"HNSW level", "HNSW8", [](faiss::Index& i) { as<faiss::IndexHNSW>(i).hnsw.levels[5] = 90; }, "has level 90"},
      {"HNSW offsets", "HNSW8", [](faiss::Index& i) { as<faiss::IndexHNSW>(i).hnsw.offsets.pop_back(); }, "offsets"},
      {"HNSW neighbour slots", "HNSW8", [](faiss::Index& i) { as<faiss::IndexHNSW>(i).hnsw.neighbors.resize(10); },
       "neighbour slots"},
      {"HNSW storage count", "HNSW8",
       [](faiss::Index& i) {
         auto& storage = as<faiss::IndexFlat>(*as<faiss::IndexHNSW>(i).storage);
         storage.ntotal = 100;
         storage.codes.resize(100 * kDim * sizeof(float));
       },
       "its storage holds 100"},
      // FAISS's reader checks these two itself.
      {"Flat codes short", "Flat", [](faiss::Index& i) { as<faiss::IndexFlat>(i).codes.resize(64); }, "codes"},
      {"Flat count", "Flat", [](faiss::Index& i) { i.ntotal = 201; }, "codes"},
      {"IVF id past the end", "IVF4,Flat",
       [](faiss::Index& i) {
         for (auto& ids : lists_of(i).ids) {
           if (!ids.empty()) ids[0] = 999;
         }
       },
       "holds id 999"},
      {"IVF nprobe", "IVF4,Flat", [](faiss::Index& i) { as<faiss::IndexIVF>(i).nprobe = 1000; }, "nprobe 1000"},
      {"IVF quantizer", "IVF4,Flat",
       [](faiss::Index& i) {
         auto& quantizer = as<faiss::IndexFlat>(*as<faiss::IndexIVF>(i).quantizer);
         quantizer.ntotal = 3;
         quantizer.codes.resize(3 * kDim * sizeof(float));
       },
       "quantizer holds 3"},
      {"IVF-PQ centroids", "IVF4,PQ4x4", [](faiss::Index& i) { as<faiss::IndexIVFPQ>(i).pq.centroids.resize(10); },
       "centroid values"},
      {"PQ centroids", "PQ4x4", [](faiss::Index& i) { as<faiss::IndexPQ>(i).pq.centroids.resize(3); },
       "centroid values"},
      {"SQ ranges", "SQ8", [](faiss::Index& i) { as<faiss::IndexScalarQuantizer>(i).sq.trained.resize(2); },
       "trained values"},
      {"transform matrix", "PCA8,Flat",
       [](faiss::Index& i) {
         auto* transform = dynamic_cast<faiss::LinearTransform*>(as<faiss::IndexPreTransform>(i).chain[0]);
         REQUIRE(transform != nullptr);
         transform->A.resize(5);
       },
       "matrix holds 5"},
      // Found by fuzz_faiss_index: an untrained transform throws from inside FAISS's search (abort).
      {"untrained transform", "OPQ4_8,Flat",
       [](faiss::Index& i) { as<faiss::IndexPreTransform>(i).chain[0]->is_trained = false; }, "is not trained"},
      {"metric", "Flat", [](faiss::Index& i) { i.metric_type = faiss::METRIC_L2; }, "inner product"},
      // Found by fuzz_faiss_index: a quantizer of a metric FAISS's flat search lacks threw out of
      // the IVF search (std::terminate); one of another metric would rank the lists by it.
      {"IVF quantizer metric", "IVF4,Flat",
       [](faiss::Index& i) { as<faiss::IndexIVF>(i).quantizer->metric_type = static_cast<faiss::MetricType>(8); },
       "quantizer has metric 8"},
      {"IVF quantizer L2", "IVF4,Flat",
       [](faiss::Index& i) { as<faiss::IndexIVF>(i).quantizer->metric_type = faiss::METRIC_L2; },
       "quantizer has metric 1"},
      {"HNSW storage metric", "HNSW8",
       [](faiss::Index& i) { as<faiss::IndexHNSW>(i).storage->metric_type = faiss::METRIC_L2; },
       "storage has metric 1"},
      // Found by fuzz_faiss_index: FAISS's search sizes tables by upper_beam (a negative one threw
      // std::length_error out of it) and asserts Hamming code sizes for polysemous search (abort).
      {"HNSW upper beam", "HNSW8", [](faiss::Index& i) { as<faiss::IndexHNSW>(i).hnsw.upper_beam = -3; },
       "upper_beam -3"},
      {"HNSW upper beam 0", "HNSW8", [](faiss::Index& i) { as<faiss::IndexHNSW>(i).hnsw.upper_beam = 0; },
       "upper_beam 0"},
      // Found by fuzz_faiss_index (a crash that needed the heap of earlier inputs): an upper-level
      // neighbour that does not reach that level sends the search past its neighbour slots.
      {"HNSW neighbour below its level", "HNSW8",
       [](faiss::Index& i) {
         auto& hnsw = as<faiss::IndexHNSW>(i).hnsw;
         const auto levels = hnsw.levels;
         const auto upper = std::find_if(levels.begin(), levels.end(), [](int level) { return level >= 2; });
         const auto lower = std::find(levels.begin(), levels.end(), 1);
         REQUIRE((upper != levels.end() && lower != levels.end()));
         const auto node = static_cast<std::size_t>(upper - levels.begin());
         hnsw.neighbors[hnsw.offsets[node] + static_cast<std::size_t>(hnsw.cum_nneighbor_per_level[1])] =
             static_cast<faiss::HNSW::storage_idx_t>(lower - levels.begin());
       },
       "at level 1, which that vector does not reach"},
      {"PQ polysemous search", "PQ4x4",
       [](faiss::Index& i) { as<faiss::IndexPQ>(i).search_type = faiss::IndexPQ::ST_polysemous_generalize; },
       "search type"},
  };
  TempDir dir;
  for (const auto& c : cases) {
    INFO(c.name);
    const auto path = dir / "index.faiss";
    build(c.factory, path);
    craft(path, c.damage);
    const auto message = error_message([&] { FaissIndex::read(path); });
    CHECK_THAT(message, Catch::Contains(path.string()) && Catch::Contains(c.expected));
  }
}
