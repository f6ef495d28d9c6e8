#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "corag/store/scored_row.hpp"

namespace faiss {
struct Index;
}

namespace corag {

/// Float32 vectors, row-major, borrowed from the caller: `rows` x `dim` values at `data`.
struct FloatRows {
  const float* data = nullptr;
  std::int64_t rows = 0;
  std::int64_t dim = 0;
};

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
  void train(const FloatRows& vectors);
  /// Appends `vectors` [n, dim].
  void add(const FloatRows& vectors);
  /// Top-k rows per query of `queries` [q, dim], in rank order; fewer when the index is smaller.
  std::vector<std::vector<ScoredRow>> search(const FloatRows& queries, std::size_t k) const;
  /// Writes the index atomically.
  void write(const std::filesystem::path& path) const;

  std::int64_t size() const;
  std::int64_t dim() const;

 private:
  FaissIndex(std::unique_ptr<faiss::Index> index, std::string source);
  std::unique_ptr<faiss::Index> index_;
  /// What errors name: the file it was read from, or the factory it was created with.
  std::string source_;
};

}  // namespace corag
