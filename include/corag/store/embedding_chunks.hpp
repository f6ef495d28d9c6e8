#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <torch/types.h>

#include "corag/util/safetensors_reader.hpp"

namespace corag {

/// The embedding matrix of a store, kept as fixed-size chunks `embeddings/000000.safetensors`, ...
/// (one tensor `embeddings` [rows, dim], float32 or float16, memory-mapped). Chunks are written
/// one at a time and atomically, which is what makes an interrupted embedding run resumable.
class EmbeddingChunks {
 public:
  static std::filesystem::path chunk_path(const std::filesystem::path& store_dir, std::size_t chunk);
  static std::size_t chunk_count(std::size_t rows, std::size_t chunk_rows) {
    return (rows + chunk_rows - 1) / chunk_rows;
  }

  /// Opens the chunks of a complete matrix and checks their shapes and dtype against the
  /// store's meta.json.
  EmbeddingChunks(const std::filesystem::path& store_dir, std::size_t rows, std::int64_t dim, std::size_t chunk_rows,
                  torch::ScalarType dtype);

  std::size_t rows() const { return rows_; }
  std::int64_t dim() const { return dim_; }
  std::size_t chunk_rows() const { return chunk_rows_; }
  std::size_t chunks() const { return files_.size(); }
  /// Chunk `index` as stored (a view of the mapping, no copy when aligned).
  torch::Tensor chunk(std::size_t index) const;
  /// float32 copies of the given rows, in the given order: [rows.size(), dim].
  torch::Tensor gather(const std::vector<std::uint64_t>& rows) const;

 private:
  std::size_t rows_;
  std::int64_t dim_;
  std::size_t chunk_rows_;
  std::vector<std::unique_ptr<SafetensorsReader>> files_;
};

}  // namespace corag
