#include "corag/store/embedding_chunks.hpp"

#include <cstdio>

#include <torch/torch.h>

#include "corag/util/error.hpp"

namespace corag {

std::filesystem::path EmbeddingChunks::chunk_path(const std::filesystem::path& store_dir, std::size_t chunk) {
  char name[32];
  std::snprintf(name, sizeof(name), "%06zu.safetensors", chunk);
  return store_dir / "embeddings" / name;
}

EmbeddingChunks::EmbeddingChunks(const std::filesystem::path& store_dir, std::size_t rows, std::int64_t dim,
                                 std::size_t chunk_rows, torch::ScalarType dtype)
    : rows_(rows), dim_(dim), chunk_rows_(chunk_rows) {
  CORAG_CHECK(chunk_rows_ > 0, store_dir.string(), ": chunk_rows must be positive");
  for (std::size_t i = 0; i < chunk_count(rows, chunk_rows); ++i) {
    const auto path = chunk_path(store_dir, i);
    CORAG_CHECK(std::filesystem::is_regular_file(path), path.string(), ": missing (the store is incomplete)");
    auto file = std::make_unique<SafetensorsReader>(path);
    const auto* entry = file->find("embeddings");
    CORAG_CHECK(entry != nullptr, path.string(), ": has no 'embeddings' tensor");
    const auto expected_rows = static_cast<std::int64_t>(std::min(chunk_rows, rows - i * chunk_rows));
    CORAG_CHECK(entry->shape == std::vector<std::int64_t>({expected_rows, dim}), path.string(), ": embeddings are [",
                entry->shape.size() == 2 ? entry->shape[0] : -1, ", ", entry->shape.size() == 2 ? entry->shape[1] : -1,
                "], the store expects [", expected_rows, ", ", dim, "]");
    CORAG_CHECK(to_torch_dtype(entry->dtype) == dtype, path.string(), ": embeddings are ",
                safetensors_dtype_name(entry->dtype), ", the store says ", c10::toString(dtype));
    files_.push_back(std::move(file));
  }
}

torch::Tensor EmbeddingChunks::chunk(std::size_t index) const {
  CORAG_CHECK(index < files_.size(), "embedding chunk ", index, " out of ", files_.size());
  return files_[index]->tensor("embeddings");
}

torch::Tensor EmbeddingChunks::gather(const std::vector<std::uint64_t>& rows) const {
  // Rows are grouped by chunk so that each chunk is read with one index_select.
  std::vector<std::vector<std::int64_t>> local(files_.size()), position(files_.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CORAG_CHECK(rows[i] < rows_, "embedding row ", rows[i], " out of ", rows_);
    const auto chunk_index = static_cast<std::size_t>(rows[i] / chunk_rows_);
    local[chunk_index].push_back(static_cast<std::int64_t>(rows[i] % chunk_rows_));
    position[chunk_index].push_back(static_cast<std::int64_t>(i));
  }
  auto out = torch::empty({static_cast<std::int64_t>(rows.size()), dim_}, torch::kFloat32);
  for (std::size_t c = 0; c < files_.size(); ++c) {
    if (local[c].empty()) continue;
    const auto picked = chunk(c).index_select(0, torch::tensor(local[c], torch::kLong)).to(torch::kFloat32);
    out.index_copy_(0, torch::tensor(position[c], torch::kLong), picked);
  }
  return out;
}

}  // namespace corag
