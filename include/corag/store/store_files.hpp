#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/store/store_build_options.hpp"

namespace corag {

class EmbeddingChunks;

/// The files of a dense store directory (DESIGN.md "Store directory"), written by
/// `DenseStore::build` and `compose_store` and read by `DenseStore`.
namespace store_files {
constexpr const char* kMeta = "meta.json";         ///< written last: its presence marks the store complete
constexpr const char* kBuildState = "build.json";  ///< a root build's layout, while it runs
constexpr const char* kRows = "rows.bin";          ///< a composed store's sorted u64 root rows
constexpr const char* kIndex = "index.faiss";
constexpr const char* kDocids =
    "docid";  ///< passage id of index row i on line i, as Pyserini lays out its FAISS indexes
constexpr const char* kFormat = "corag-store-1";
}  // namespace store_files

/// A store's meta.json, read once into types; every error names the file.
struct StoreMeta {
  std::size_t count = 0;
  std::int64_t dim = 0;
  std::string fingerprint, index_factory, index_checksum;
  std::optional<std::string> base;                 ///< a composed store's root, relative to it
  std::size_t chunk_rows = 0;                      ///< root stores: rows per embedding chunk
  EmbeddingDtype dtype = EmbeddingDtype::float32;  ///< root stores: embedding dtype on disk

  static StoreMeta read(const std::filesystem::path& file);
};

/// meta.json or build.json of a store as JSON; a missing one means no (finished) store.
nlohmann::json read_store_json(const std::filesystem::path& path);

/// Writes `rows.bin` atomically.
void write_store_rows(const std::filesystem::path& path, const std::vector<std::uint64_t>& rows);

class PassageTable;

/// Writes `docid` atomically: the passage id of each of `rows` (root-table rows, in index order),
/// one per line.
void write_store_docids(const std::filesystem::path& path, const std::vector<std::uint64_t>& rows,
                        const PassageTable& table);

/// Builds `dir/index.faiss` over the embeddings of `rows` (root rows, in store order) with the
/// options' factory, and returns its checksum, which meta.json records so that a damaged file is
/// refused before FAISS's reader (which trusts every count and offset in it) sees it.
std::string write_store_index(const std::filesystem::path& dir, const StoreBuildOptions& options,
                              const EmbeddingChunks& matrix, const std::vector<std::uint64_t>& rows);

}  // namespace corag
