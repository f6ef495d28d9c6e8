#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "corag/store/scored_row.hpp"

namespace faiss {
struct Index;
}

namespace corag {

/// A FAISS inner-product index built from a factory string (`Flat`, `IVF4096,PQ64`, `HNSW32`,
/// ...), stored in FAISS's own file format (Python's `faiss.read_index` opens it). Positions in
/// the index are the rows of the store it belongs to.
class FaissIndex {
 public:
  /// Creates an empty index; factories with a quantizer (IVF, PQ) must be trained before `add`.
  static FaissIndex create(const std::string& factory, std::int64_t dim);
  static FaissIndex read(const std::filesystem::path& path);
  ~FaissIndex();
  FaissIndex(FaissIndex&&) noexcept;
  FaissIndex& operator=(FaissIndex&&) noexcept;

  bool needs_training() const;
  /// Trains on `vectors` [n, dim].
  void train(const torch::Tensor& vectors);
  /// Appends vectors [n, dim] (converted to contiguous float32).
  void add(const torch::Tensor& vectors);
  /// Top-k rows per query ([q, dim] float32), in rank order; fewer when the index is smaller.
  std::vector<std::vector<ScoredRow>> search(const torch::Tensor& queries, std::size_t k) const;
  /// Writes the index atomically.
  void write(const std::filesystem::path& path) const;

  std::int64_t size() const;
  std::int64_t dim() const;

 private:
  explicit FaissIndex(std::unique_ptr<faiss::Index> index);
  std::unique_ptr<faiss::Index> index_;
};

}  // namespace corag
