#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "corag/store/embedding_chunks.hpp"
#include "corag/store/faiss_index.hpp"
#include "corag/store/passage_table.hpp"
#include "corag/store/scored_row.hpp"
#include "corag/store/store_build_options.hpp"

namespace corag {

class Retriever;

/// A searchable passage store (DESIGN.md "Store directory"): `meta.json`, the embedding matrix,
/// `index.faiss`, and either its own passage table (a *root* store, made by `build`) or
/// `rows.bin`, sorted u64 rows into a root store's table and embeddings (a *composed* store,
/// made by `compose_store` without re-embedding anything).
class DenseStore {
 public:
  /// Embeds every passage of `corpus` with the retriever's passage encoder into a root store.
  /// Chunks are written atomically; run again on the same `out`, it keeps the finished chunks
  /// and embeds only the rest (a different corpus, encoder or layout there is an error).
  static void build(Retriever& retriever, const std::filesystem::path& corpus, const std::filesystem::path& out,
                    const StoreBuildOptions& options);

  explicit DenseStore(const std::filesystem::path& dir);
  ~DenseStore();

  std::size_t size() const { return rows_.size(); }
  std::int64_t dim() const { return dim_; }
  const std::string& fingerprint() const { return fingerprint_; }
  const std::string& index_factory() const { return index_factory_; }
  const std::filesystem::path& dir() const { return dir_; }
  const std::filesystem::path& root() const { return root_; }
  /// The root store's passage table; hits are rows of it.
  const PassageTable& table() const { return *table_; }
  /// Root-table rows of this store's passages, ascending.
  const std::vector<std::uint64_t>& rows() const { return rows_; }
  /// The root store's embedding matrix, which a composed store's rows index.
  const EmbeddingChunks& root_embeddings() const { return *chunks_; }
  /// float32 embeddings [n, dim] of store positions [begin, end).
  torch::Tensor embeddings(std::size_t begin, std::size_t end) const;
  /// float32 embeddings [rows.size(), dim] of root-table rows (search hits), in the given order.
  torch::Tensor row_embeddings(const std::vector<std::uint64_t>& root_rows) const;
  /// Throws corag::Error naming both when the passage encoder with this `weights_fingerprint`
  /// is not the one that embedded the store: its queries would search the wrong space.
  void check_passage_encoder(const std::string& encoder_fingerprint, const std::string& retriever_name) const;

  /// Top-k per query ([q, dim]) through the FAISS index; hits are root-table rows.
  std::vector<std::vector<ScoredRow>> search(const torch::Tensor& queries, std::size_t k) const;
  /// Exact top-k as blocked matrix products in torch on `device` in `dtype` (the CUDA path,
  /// since Debian's FAISS has no GPU). Blocks stay resident on the device while they fit in
  /// `resident_bytes`; beyond that they are streamed from the memory-mapped chunks per call.
  std::vector<std::vector<ScoredRow>> search_exact(const torch::Tensor& queries, std::size_t k,
                                                   const torch::Device& device, torch::ScalarType dtype,
                                                   std::size_t resident_bytes = std::size_t{32} << 30) const;
  /// Top-k the way the paper searches: exact stores (`Flat`) with `search_exact` (blocks kept
  /// resident on a GPU in `compute_dtype`, streamed in float32 on the CPU, where it is ~3x
  /// faster than FAISS's IndexFlatIP for batched queries, see bench_store); other indexes
  /// through FAISS.
  std::vector<std::vector<ScoredRow>> top_k(const torch::Tensor& queries, std::size_t k, const torch::Device& device,
                                            torch::ScalarType compute_dtype) const;

 private:
  /// Throws naming the store when `scores` (any shape) holds NaN or infinity.
  void require_finite(const torch::Tensor& scores) const;

  std::filesystem::path dir_, root_;
  std::int64_t dim_ = 0;
  std::string fingerprint_, index_factory_;
  std::unique_ptr<PassageTable> table_;
  std::unique_ptr<EmbeddingChunks> chunks_;
  std::unique_ptr<FaissIndex> index_;
  std::vector<std::uint64_t> rows_;
  mutable std::vector<torch::Tensor> resident_;  ///< device blocks kept between searches
  mutable torch::Device resident_device_ = torch::kCPU;
  mutable torch::ScalarType resident_dtype_ = torch::kFloat32;
};

}  // namespace corag
