#include "corag/store/faiss_index.hpp"

#include <faiss/Index.h>
#include <faiss/impl/FaissException.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <algorithm>

#include <torch/torch.h>

#include "corag/util/error.hpp"

namespace corag {
namespace {

/// FAISS 1.7.3 spells the id type faiss::Index::idx_t (newer releases: faiss::idx_t).
using FaissId = faiss::Index::idx_t;

torch::Tensor contiguous_float(const torch::Tensor& x) { return x.to(torch::kCPU, torch::kFloat32).contiguous(); }

}  // namespace

FaissIndex::FaissIndex(std::unique_ptr<faiss::Index> index) : index_(std::move(index)) {}
FaissIndex::~FaissIndex() = default;
FaissIndex::FaissIndex(FaissIndex&&) noexcept = default;
FaissIndex& FaissIndex::operator=(FaissIndex&&) noexcept = default;

FaissIndex FaissIndex::create(const std::string& factory, std::int64_t dim) {
  try {
    return FaissIndex(std::unique_ptr<faiss::Index>(
        faiss::index_factory(static_cast<int>(dim), factory.c_str(), faiss::METRIC_INNER_PRODUCT)));
  } catch (const faiss::FaissException& e) {
    throw_error("FAISS index factory '", factory, "' is not valid for dim ", dim, ": ", e.what());
  }
}

void FaissIndex::train(const torch::Tensor& vectors) {
  const auto data = contiguous_float(vectors);
  CORAG_CHECK(data.dim() == 2 && data.size(0) > 0 && data.size(1) == index_->d, "FAISS train: need [n, ", index_->d,
              "] vectors");
  try {
    index_->train(data.size(0), data.data_ptr<float>());
  } catch (const faiss::FaissException& e) {
    throw_error("training the FAISS index on ", data.size(0), " vectors failed: ", e.what());
  }
}

FaissIndex FaissIndex::read(const std::filesystem::path& path) {
  CORAG_CHECK(std::filesystem::is_regular_file(path), path.string(), ": missing");
  try {
    return FaissIndex(std::unique_ptr<faiss::Index>(faiss::read_index(path.c_str())));
  } catch (const faiss::FaissException& e) {
    throw_error(path.string(), ": not a readable FAISS index (", e.what(), ")");
  }
}

bool FaissIndex::needs_training() const { return !index_->is_trained; }

void FaissIndex::add(const torch::Tensor& vectors) {
  const auto data = contiguous_float(vectors);
  CORAG_CHECK(data.dim() == 2 && data.size(1) == index_->d, "FAISS add: vectors of dim ", data.size(-1),
              " into an index of dim ", index_->d);
  index_->add(data.size(0), data.data_ptr<float>());
}

std::vector<std::vector<ScoredRow>> FaissIndex::search(const torch::Tensor& queries, std::size_t k) const {
  const auto data = contiguous_float(queries);
  CORAG_CHECK(data.dim() == 2 && data.size(1) == index_->d, "FAISS search: queries of dim ", data.size(-1),
              " against an index of dim ", index_->d);
  const auto n = data.size(0);
  const auto kept = static_cast<FaissId>(std::min<std::size_t>(k, static_cast<std::size_t>(std::max<FaissId>(index_->ntotal, 0))));
  std::vector<std::vector<ScoredRow>> results(static_cast<std::size_t>(n));
  if (kept == 0 || n == 0) return results;
  std::vector<float> distances(static_cast<std::size_t>(n * kept));
  std::vector<FaissId> labels(static_cast<std::size_t>(n * kept));
  index_->search(n, data.data_ptr<float>(), kept, distances.data(), labels.data());
  for (std::int64_t q = 0; q < n; ++q) {
    auto& hits = results[static_cast<std::size_t>(q)];
    for (FaissId j = 0; j < kept; ++j) {
      const auto at = static_cast<std::size_t>(q * kept + j);
      if (labels[at] >= 0) hits.push_back({static_cast<std::size_t>(labels[at]), distances[at]});
    }
    // FAISS does not order equal scores; ties go to the lower row, as everywhere in corag.
    std::stable_sort(hits.begin(), hits.end(), ranks_before);
  }
  return results;
}

void FaissIndex::write(const std::filesystem::path& path) const {
  const auto temporary = path.string() + ".tmp";
  try {
    faiss::write_index(index_.get(), temporary.c_str());
  } catch (const faiss::FaissException& e) {
    throw_error(path.string(), ": writing the FAISS index failed: ", e.what());
  }
  std::filesystem::rename(temporary, path);
}

std::int64_t FaissIndex::size() const { return index_->ntotal; }
std::int64_t FaissIndex::dim() const { return index_->d; }

}  // namespace corag
