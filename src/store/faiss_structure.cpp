#include "corag/store/faiss_structure.hpp"

#include <faiss/IndexFlat.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIVF.h>
#include <faiss/IndexIVFFlat.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/IndexPQ.h>
#include <faiss/IndexPreTransform.h>
#include <faiss/IndexScalarQuantizer.h>
#include <faiss/VectorTransform.h>
#include <faiss/invlists/InvertedLists.h>

#include <cstdint>

#include "corag/util/error.hpp"

namespace corag {
namespace {

/// Checks one (sub-)index of dimension `d` holding `ntotal` vectors; `role` names it in errors.
class StructureCheck {
 public:
  explicit StructureCheck(std::string where) : where_(std::move(where)) {}

  void index(const faiss::Index& index, std::int64_t d, const std::string& role) const {
    require(index.d == d, role, " has dimension ", index.d, " where ", d, " is expected");
    require(index.ntotal >= 0 && index.ntotal <= (std::int64_t{1} << 40), role, " holds ", index.ntotal, " vectors");
    require(index.is_trained, role, " is not trained");
    // Every part scores by inner product: a quantizer or storage of another metric ranks by it or,
    // for metrics FAISS's flat search lacks, throws from inside the search (found by
    // fuzz_faiss_index: an IVF quantizer of metric 8).
    require(index.metric_type == faiss::METRIC_INNER_PRODUCT, role, " has metric ", static_cast<int>(index.metric_type),
            ", not inner product (corag's scores are inner products)");
    if (const auto* transformed = dynamic_cast<const faiss::IndexPreTransform*>(&index)) {
      pre_transform(*transformed, role);
    } else if (const auto* hnsw = dynamic_cast<const faiss::IndexHNSW*>(&index)) {
      graph(*hnsw, role);
    } else if (const auto* ivf = dynamic_cast<const faiss::IndexIVF*>(&index)) {
      inverted_lists(*ivf, role);
    } else if (const auto* codes = dynamic_cast<const faiss::IndexFlatCodes*>(&index)) {
      flat_codes(*codes, role);
    } else {
      fail(role, " is a kind of FAISS index corag does not build");
    }
  }

 private:
  template <typename... Parts>
  void require(bool holds, const Parts&... parts) const {
    if (!holds) fail(parts...);
  }
  template <typename... Parts>
  [[noreturn]] void fail(const Parts&... parts) const {
    throw_error(where_, ": damaged FAISS index: ", parts...);
  }

  void pre_transform(const faiss::IndexPreTransform& index, const std::string& role) const {
    require(index.index != nullptr, role, " has no index under its transforms");
    auto d = index.d;
    for (std::size_t i = 0; i < index.chain.size(); ++i) {
      const auto* linear = dynamic_cast<const faiss::LinearTransform*>(index.chain[i]);
      require(linear != nullptr, role, ": transform ", i, " is not a linear one (OPQ or PCA)");
      // An untrained transform throws from inside FAISS's search, where nothing catches it.
      require(linear->is_trained, role, ": transform ", i, " is not trained");
      require(linear->d_in == d && linear->d_out >= 1 && linear->d_out <= d, role, ": transform ", i, " maps ",
              linear->d_in, " to ", linear->d_out, " dimensions where its input has ", d);
      require(linear->A.size() == static_cast<std::size_t>(linear->d_in) * static_cast<std::size_t>(linear->d_out),
              role, ": transform ", i, "'s matrix holds ", linear->A.size(), " values for ", linear->d_out, " x ",
              linear->d_in);
      require(!linear->have_bias || linear->b.size() == static_cast<std::size_t>(linear->d_out), role, ": transform ",
              i, "'s bias holds ", linear->b.size(), " values for ", linear->d_out);
      d = linear->d_out;
    }
    require(index.index->ntotal == index.ntotal, role, " counts ", index.ntotal, " vectors, its index ",
            index.index->ntotal);
    this->index(*index.index, d, role + " (under its transforms)");
  }

  void graph(const faiss::IndexHNSW& index, const std::string& role) const {
    require(index.storage != nullptr, role, " has no vector storage");
    require(index.storage->ntotal == index.ntotal, role, " links ", index.ntotal, " vectors, its storage holds ",
            index.storage->ntotal);
    this->index(*index.storage, index.d, role + "'s storage");
    const auto& hnsw = index.hnsw;
    const auto n = static_cast<std::size_t>(index.ntotal);
    const auto& cumulative = hnsw.cum_nneighbor_per_level;
    require(!cumulative.empty() && cumulative.front() == 0, role, ": neighbours per level do not start at 0");
    for (std::size_t level = 1; level < cumulative.size(); ++level) {
      require(cumulative[level] >= cumulative[level - 1], role, ": neighbours per level decrease at level ", level);
    }
    require(hnsw.levels.size() == n && hnsw.offsets.size() == n + 1 && hnsw.offsets.front() == 0, role, ": ",
            hnsw.levels.size(), " levels and ", hnsw.offsets.size(), " offsets for ", n, " vectors");
    for (std::size_t node = 0; node < n; ++node) {
      const auto level = hnsw.levels[node];
      require(level >= 1 && static_cast<std::size_t>(level) < cumulative.size(), role, ": vector ", node, " has level ",
              level);
      require(hnsw.offsets[node + 1] - hnsw.offsets[node] == static_cast<std::size_t>(cumulative[level]), role,
              ": vector ", node, "'s neighbour list does not match its level");
    }
    require(hnsw.neighbors.size() == hnsw.offsets.back(), role, ": ", hnsw.neighbors.size(), " neighbour slots, ",
            hnsw.offsets.back(), " expected");
    for (const auto neighbour : hnsw.neighbors) {
      require(neighbour >= -1 && neighbour < index.ntotal, role, ": neighbour id ", neighbour, " of ", n, " vectors");
    }
    // A vector listed at a level it does not reach sends FAISS's search to that level's slice of
    // its own list, which lies past it: past the end of the slots for the last vectors (garbage
    // ids, then reads far outside the codes; found by fuzz_faiss_index as a rare crash).
    for (std::size_t node = 0; node < n; ++node) {
      for (int level = 0; level < hnsw.levels[node]; ++level) {
        const auto begin = hnsw.offsets[node] + static_cast<std::size_t>(cumulative[level]);
        const auto end = hnsw.offsets[node] + static_cast<std::size_t>(cumulative[level + 1]);
        for (auto slot = begin; slot < end; ++slot) {
          const auto neighbour = hnsw.neighbors[slot];
          require(neighbour < 0 || hnsw.levels[static_cast<std::size_t>(neighbour)] > level, role, ": vector ", node,
                  " links vector ", neighbour, " at level ", level, ", which that vector does not reach");
        }
      }
    }
    if (n == 0) return;
    require(hnsw.entry_point >= 0 && hnsw.entry_point < index.ntotal, role, ": entry point ", hnsw.entry_point);
    require(hnsw.max_level == hnsw.levels[static_cast<std::size_t>(hnsw.entry_point)] - 1, role, ": top level ",
            hnsw.max_level, " is not its entry point's");
    require(hnsw.efSearch >= 1 && hnsw.efSearch <= (1 << 20), role, ": efSearch ", hnsw.efSearch);
    // Any other beam sizes FAISS's search tables by it: 0 writes past them, a negative one throws
    // std::length_error out of the search (found by fuzz_faiss_index).
    require(hnsw.upper_beam == 1, role, ": upper_beam ", hnsw.upper_beam, " (corag builds 1)");
  }

  void inverted_lists(const faiss::IndexIVF& index, const std::string& role) const {
    require(index.quantizer != nullptr && index.nlist >= 1, role, " has no coarse quantizer");
    require(index.quantizer->ntotal == static_cast<std::int64_t>(index.nlist), role, ": its quantizer holds ",
            index.quantizer->ntotal, " centroids for ", index.nlist, " lists");
    this->index(*index.quantizer, index.d, role + "'s quantizer");
    require(index.nprobe >= 1 && index.nprobe <= index.nlist, role, ": nprobe ", index.nprobe, " of ", index.nlist,
            " lists");
    const auto code_size =
        checked_code_size<faiss::IndexIVFFlat, faiss::IndexIVFPQ, faiss::IndexIVFScalarQuantizer>(index, role);
    require(index.code_size == code_size, role, ": code size ", index.code_size, ", ", code_size, " expected");
    const auto* lists = dynamic_cast<const faiss::ArrayInvertedLists*>(index.invlists);
    require(lists != nullptr && lists->nlist == index.nlist && lists->code_size == code_size &&
                lists->codes.size() == index.nlist && lists->ids.size() == index.nlist,
            role, ": its inverted lists do not match its ", index.nlist, " lists of ", code_size, "-byte codes");
    std::size_t total = 0;
    for (std::size_t list = 0; list < index.nlist; ++list) {
      require(lists->codes[list].size() == lists->ids[list].size() * code_size, role, ": list ", list, " holds ",
              lists->ids[list].size(), " ids and ", lists->codes[list].size(), " bytes of codes");
      for (const auto id : lists->ids[list]) {
        require(id >= 0 && id < index.ntotal, role, ": list ", list, " holds id ", id, " of ", index.ntotal);
      }
      total += lists->ids[list].size();
    }
    require(total == static_cast<std::size_t>(index.ntotal), role, ": its lists hold ", total, " vectors, it counts ",
            index.ntotal);
  }

  void flat_codes(const faiss::IndexFlatCodes& index, const std::string& role) const {
    // Polysemous and Hamming searches assume code layouts of their own (FAISS asserts a code size
    // that is a multiple of 8 and aborts: found by fuzz_faiss_index); corag searches PQ codes
    // by their tables.
    if (const auto* pq = dynamic_cast<const faiss::IndexPQ*>(&index)) {
      require(pq->search_type == faiss::IndexPQ::ST_PQ && !pq->encode_signs, role, ": search type ",
              static_cast<int>(pq->search_type), pq->encode_signs ? " with encoded signs" : "",
              " (corag searches product-quantized codes by their tables: ST_PQ)");
    }
    const auto code_size =
        checked_code_size<faiss::IndexFlat, faiss::IndexPQ, faiss::IndexScalarQuantizer>(index, role);
    require(index.code_size == code_size, role, ": code size ", index.code_size, ", ", code_size, " expected");
    require(index.codes.size() == static_cast<std::size_t>(index.ntotal) * code_size, role, ": ", index.codes.size(),
            " bytes of codes for ", index.ntotal, " vectors of ", code_size, " bytes");
  }

  /// The bytes per vector of an index whose codes are float32 values (`Floats`), product-quantized
  /// (`ProductQuantized`) or scalar-quantized (`ScalarQuantized`), its quantizer checked first.
  template <typename Floats, typename ProductQuantized, typename ScalarQuantized>
  std::size_t checked_code_size(const faiss::Index& index, const std::string& role) const {
    if (dynamic_cast<const Floats*>(&index) != nullptr) return static_cast<std::size_t>(index.d) * sizeof(float);
    if (const auto* pq = dynamic_cast<const ProductQuantized*>(&index)) {
      product_quantizer(pq->pq, index.d, role);
      return pq->pq.code_size;
    }
    if (const auto* sq = dynamic_cast<const ScalarQuantized*>(&index)) {
      scalar_quantizer(sq->sq, index.d, role);
      return sq->sq.code_size;
    }
    fail(role, " is a kind of index corag does not build");
  }

  void product_quantizer(const faiss::ProductQuantizer& pq, std::int64_t d, const std::string& role) const {
    require(pq.d == static_cast<std::size_t>(d) && pq.M >= 1 && pq.M * pq.dsub == pq.d && pq.nbits >= 1 &&
                pq.nbits <= 16 && pq.ksub == (std::size_t{1} << pq.nbits) && pq.code_size == (pq.M * pq.nbits + 7) / 8,
            role, ": product quantizer of ", pq.M, " x ", pq.nbits, " bits is inconsistent with dimension ", d);
    require(pq.centroids.size() == pq.d * pq.ksub, role, ": product quantizer holds ", pq.centroids.size(),
            " centroid values, ", pq.d * pq.ksub, " expected");
  }

  void scalar_quantizer(const faiss::ScalarQuantizer& sq, std::int64_t d, const std::string& role) const {
    require(sq.d == static_cast<std::size_t>(d), role, ": scalar quantizer of dimension ", sq.d);
    std::size_t trained = 0;
    switch (sq.qtype) {
      case faiss::ScalarQuantizer::QT_8bit:
      case faiss::ScalarQuantizer::QT_4bit:
      case faiss::ScalarQuantizer::QT_6bit:
        trained = 2 * sq.d;  // per-dimension minimum and range
        break;
      case faiss::ScalarQuantizer::QT_fp16:
        break;
      default:
        fail(role, ": scalar quantizer type ", static_cast<int>(sq.qtype), " is not one corag builds");
    }
    const faiss::ScalarQuantizer expected(sq.d, sq.qtype);
    require(sq.code_size == expected.code_size && sq.trained.size() == trained, role, ": scalar quantizer with ",
            sq.code_size, "-byte codes and ", sq.trained.size(), " trained values, ", expected.code_size, " and ",
            trained, " expected");
  }

  std::string where_;
};

}  // namespace

void check_faiss_structure(const faiss::Index& index, const std::string& where) {
  StructureCheck(where).index(index, index.d, "the index");
}

}  // namespace corag
