#include "corag/store/faiss_index.hpp"

#include <faiss/IVFlib.h>
#include <faiss/Index.h>
#include <faiss/IndexIVFPQ.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <algorithm>
#include <regex>
#include <sstream>

#include "corag/store/faiss_file_check.hpp"
#include "corag/store/faiss_structure.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"

namespace corag {
namespace {

/// FAISS 1.7.3 spells the id type faiss::Index::idx_t (newer releases: faiss::idx_t).
using FaissId = faiss::Index::idx_t;

/// FAISS's factory parser accepts numbers its indexes cannot take and then crashes or hangs in
/// add or search (HNSW0 and PQ0 crash, HNSW1 hangs, IVF0 aborts), so the factories corag builds
/// are checked against their grammar and bounds first: optional transforms (`OPQ{M}[_{D}]`,
/// `PCA{D}`), then `Flat`, `HNSW{M}[,Flat|SQ]` (FAISS builds HNSW over PQ for L2 only),
/// `IVF{nlist}[_HNSW{M}],{Flat|PQ|SQ}`, `PQ{M}[x{bits}]` or `SQ{4|6|8|fp16}`.
void check_factory(const std::string& factory, std::int64_t dim) {
  const auto fail = [&](const std::string& why) {
    throw_error("FAISS index factory '", factory, "': ", why,
                " (supported: [OPQ{M}[_{D}],|PCA{D},] Flat | HNSW{M}[,Flat|SQ{4|6|8|fp16}] | "
                "IVF{nlist}[_HNSW{M}],Flat|PQ{M}[x{bits}]|SQ{4|6|8|fp16} | PQ{M}[x{bits}] | SQ8)");
  };
  const auto bounded = [&](const std::string& digits, std::int64_t low, std::int64_t high, const char* what) {
    if (digits.size() > 9 || std::stoll(digits) < low || std::stoll(digits) > high) {
      std::ostringstream why;
      why << what << " " << digits << " is outside [" << low << ", " << high << "]";
      fail(why.str());
    }
    return std::stoll(digits);
  };
  std::vector<std::string> parts;
  std::stringstream stream(factory);
  for (std::string part; std::getline(stream, part, ',');) parts.push_back(part);
  if (parts.empty()) fail("empty");
  static const std::regex opq(R"(OPQ(\d+)(?:_(\d+))?)"), pca(R"(PCA(\d+))"), hnsw(R"(HNSW(\d+))"),
      ivf(R"(IVF(\d+)(?:_HNSW(\d+))?)"), pq(R"(PQ(\d+)(?:x(\d+))?)"), sq(R"(SQ(?:4|6|8|fp16))");
  std::smatch m;
  std::size_t at = 0;
  std::int64_t d = dim;
  if (std::regex_match(parts[at], m, opq)) {
    const auto subquantizers = bounded(m[1], 1, d, "OPQ's M");
    if (m[2].matched) d = bounded(m[2], 1, d, "OPQ's output dimension");
    if (d % subquantizers != 0) fail("OPQ's M must divide the dimension");
    ++at;
  } else if (std::regex_match(parts[at], m, pca)) {
    d = bounded(m[1], 1, d, "PCA's output dimension");
    ++at;
  }
  const auto check_codec = [&](const std::string& codec) {
    if (codec == "Flat" || std::regex_match(codec, sq)) return;
    if (!std::regex_match(codec, m, pq)) fail("unknown component '" + codec + "'");
    const auto subquantizers = bounded(m[1], 1, d, "PQ's M");
    if (d % subquantizers != 0) fail("PQ's M must divide the dimension " + std::to_string(d));
    if (m[2].matched) bounded(m[2], 1, 16, "PQ's bits per code");
  };
  if (at == parts.size()) fail("no index after the transform");
  const auto head = parts[at++];
  const auto rest = parts.size() - at;
  if (std::regex_match(head, m, ivf)) {
    bounded(m[1], 1, std::int64_t{1} << 24, "IVF's nlist");
    if (m[2].matched) bounded(m[2], 2, 512, "HNSW's M");
    if (rest != 1) fail("IVF needs one codec after it (Flat, PQ or SQ)");
    check_codec(parts[at]);
  } else if (std::regex_match(head, m, hnsw)) {
    bounded(m[1], 2, 512, "HNSW's M");
    if (rest > 1) fail("HNSW takes at most one codec after it");
    if (rest == 1 && std::regex_match(parts[at], pq)) fail("FAISS builds HNSW over PQ codes for L2 distance only");
    if (rest == 1) check_codec(parts[at]);
  } else {
    if (rest != 0) fail("'" + head + "' takes nothing after it");
    check_codec(head);
  }
}

/// Runs `call` into FAISS; a FaissException out of it becomes a corag::Error of `context` and
/// FAISS's message.
template <typename Call, typename... Context>
void call_faiss(Call&& call, const Context&... context) {
  try {
    call();
  } catch (const faiss::FaissException& e) {
    throw_error(context..., ": ", e.what());
  }
}

}  // namespace

FaissIndex::FaissIndex(std::unique_ptr<faiss::Index> index, std::string source)
    : index_(std::move(index)), source_(std::move(source)) {}
FaissIndex::~FaissIndex() = default;
FaissIndex::FaissIndex(FaissIndex&&) noexcept = default;
FaissIndex& FaissIndex::operator=(FaissIndex&&) noexcept = default;

FaissIndex FaissIndex::create(const std::string& factory, std::int64_t dim) {
  CORAG_CHECK(dim > 0, "FAISS index of dimension ", dim);
  check_factory(factory, dim);
  std::unique_ptr<faiss::Index> index;
  call_faiss(
      [&] { index.reset(faiss::index_factory(static_cast<int>(dim), factory.c_str(), faiss::METRIC_INNER_PRODUCT)); },
      "FAISS index factory '", factory, "' is not valid for dim ", dim);
  CORAG_CHECK(index->metric_type == faiss::METRIC_INNER_PRODUCT, "FAISS index factory '", factory,
              "' builds an index for another metric than inner product");
  return FaissIndex(std::move(index), "a new FAISS index '" + factory + "'");
}

void FaissIndex::train(const FloatRows& vectors) {
  CORAG_CHECK(vectors.rows > 0 && vectors.dim == index_->d, "FAISS train: need [n, ", index_->d, "] vectors, got [",
              vectors.rows, ", ", vectors.dim, "]");
  call_faiss([&] { index_->train(vectors.rows, vectors.data); }, source_, ": training on ", vectors.rows,
             " vectors failed");
}

FaissIndex FaissIndex::read(const std::filesystem::path& path) {
  CORAG_CHECK(std::filesystem::is_regular_file(path), path.string(), ": missing");
  // FAISS's reader trusts the file's numbers (a length near 2^40 is allocated, PQ's M = 0 divides
  // by zero): walk it first.
  check_faiss_file(path);
  std::unique_ptr<faiss::Index> index;
  try {
    // IVF-PQ's precomputed table is derived from the quantizers, so it is computed only once the
    // structure they come from has been checked.
    index.reset(faiss::read_index(path.c_str(), faiss::IO_FLAG_SKIP_PRECOMPUTE_TABLE));
  } catch (const std::exception& e) {  // FaissException, or bad_alloc for a size read from the file
    throw_error(path.string(), ": not a readable FAISS index (", e.what(), ")");
  }
  check_faiss_structure(*index, path.string());
  if (auto* ivf_pq = dynamic_cast<faiss::IndexIVFPQ*>(faiss::ivflib::try_extract_index_ivf(index.get()))) {
    if (ivf_pq->by_residual) ivf_pq->precompute_table();
  }
  return FaissIndex(std::move(index), path.string());
}

bool FaissIndex::needs_training() const { return !index_->is_trained; }

void FaissIndex::add(const FloatRows& vectors) {
  CORAG_CHECK(vectors.rows >= 0 && vectors.dim == index_->d, "FAISS add: vectors of dim ", vectors.dim,
              " into an index of dim ", index_->d);
  call_faiss([&] { index_->add(vectors.rows, vectors.data); }, source_, ": adding ", vectors.rows, " vectors failed");
}

std::vector<std::vector<ScoredRow>> FaissIndex::search(const FloatRows& queries, std::size_t k) const {
  CORAG_CHECK(queries.rows >= 0 && queries.dim == index_->d, "FAISS search: queries of dim ", queries.dim,
              " against an index of dim ", index_->d);
  const auto n = queries.rows;
  const auto kept =
      static_cast<FaissId>(std::min<std::size_t>(k, static_cast<std::size_t>(std::max<FaissId>(index_->ntotal, 0))));
  std::vector<std::vector<ScoredRow>> results(static_cast<std::size_t>(n));
  if (kept == 0 || n == 0) return results;
  std::vector<float> distances(static_cast<std::size_t>(n * kept));
  std::vector<FaissId> labels(static_cast<std::size_t>(n * kept));
  // The structure check at read should leave FAISS nothing to refuse; should a damaged file still
  // get past it, FAISS's exception (out of its OpenMP loop) becomes an error naming the file.
  call_faiss([&] { index_->search(n, queries.data, kept, distances.data(), labels.data()); }, source_,
             ": FAISS search failed (a damaged index?)");
  for (std::int64_t q = 0; q < n; ++q) {
    auto& hits = results[static_cast<std::size_t>(q)];
    for (FaissId j = 0; j < kept; ++j) {
      const auto at = static_cast<std::size_t>(q * kept + j);
      if (labels[at] < 0) continue;  // fewer than k reachable
      CORAG_CHECK(labels[at] < index_->ntotal, source_, ": FAISS search returned position ", labels[at],
                  " of an index of ", index_->ntotal, " vectors (a damaged index)");
      hits.push_back({static_cast<std::size_t>(labels[at]), distances[at]});
    }
    // FAISS does not order equal scores; ties go to the lower row, as everywhere in corag.
    std::stable_sort(hits.begin(), hits.end(), ranks_before);
  }
  return results;
}

namespace {

/// FAISS's serializer writing through corag's atomic writer (temporary file, fsync, rename).
struct AtomicFaissWriter : faiss::IOWriter {
  explicit AtomicFaissWriter(AtomicFileWriter& file) : file(file) {}
  std::size_t operator()(const void* data, std::size_t size, std::size_t items) override {
    file.write(data, size * items);
    return items;
  }
  AtomicFileWriter& file;
};

}  // namespace

void FaissIndex::write(const std::filesystem::path& path) const {
  AtomicFileWriter file(path);
  AtomicFaissWriter writer(file);
  call_faiss([&] { faiss::write_index(index_.get(), &writer); }, path.string(), ": writing ", source_, " failed");
  file.commit();
}

std::int64_t FaissIndex::size() const { return index_->ntotal; }
std::int64_t FaissIndex::dim() const { return index_->d; }

}  // namespace corag
