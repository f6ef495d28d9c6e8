#include "corag/store/store_files.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "corag/store/embedding_chunks.hpp"
#include "corag/store/faiss_index.hpp"
#include "corag/store/passage_table.hpp"
#include "corag/store/tensor_rows.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/file_checksum.hpp"
#include "corag/util/json_object_reader.hpp"
#include "corag/util/json_strict.hpp"
#include "corag/util/progress_bar.hpp"
#include "corag/util/rng.hpp"

namespace corag {
namespace {

constexpr std::size_t kAddBlockRows = 65536;  // vectors gathered and added to the index at a time

}  // namespace

nlohmann::json read_store_json(const std::filesystem::path& path) {
  CORAG_CHECK(std::filesystem::is_regular_file(path), path.string(),
              ": missing (not a corag store, or an unfinished one)");
  return read_json_file(path);
}

StoreMeta StoreMeta::read(const std::filesystem::path& file) {
  const auto json = read_store_json(file);
  const JsonObjectReader fields(json, file.string());
  CORAG_CHECK(fields.text("format") == store_files::kFormat, file.string(), ": unknown store format '",
              fields.text("format"), "'");
  StoreMeta meta;
  meta.count = fields.unsigned_integer("count");
  const auto dim = fields.unsigned_integer("dim");
  CORAG_CHECK(dim > 0 && dim <= 65536, file.string(), ": 'dim' ", dim, " is outside [1, 65536]");
  meta.dim = static_cast<std::int64_t>(dim);
  meta.fingerprint = fields.text("fingerprint");
  meta.index_factory = fields.text("index");
  meta.index_checksum = fields.text("index_checksum");
  if (fields.has("base")) {
    meta.base = fields.text("base");
  } else {
    meta.chunk_rows = fields.unsigned_integer("chunk_rows");
    meta.dtype = enum_from_name<EmbeddingDtype>(fields.text("dtype"), file.string() + ": 'dtype'");
  }
  return meta;
}

void write_store_rows(const std::filesystem::path& path, const std::vector<std::uint64_t>& rows) {
  write_file_atomically(path, std::string_view(reinterpret_cast<const char*>(rows.data()), rows.size() * 8));
}

void write_store_docids(const std::filesystem::path& path, const std::vector<std::uint64_t>& rows,
                        const PassageTable& table) {
  write_file_atomically(path, [&](std::ostream& out) {
    for (const auto row : rows) out << table.at(row).id << '\n';
  });
}

std::string write_store_index(const std::filesystem::path& dir, const StoreBuildOptions& options,
                              const EmbeddingChunks& matrix, const std::vector<std::uint64_t>& rows) {
  auto index = FaissIndex::create(options.index_factory, matrix.dim());
  if (index.needs_training()) {
    auto sample = rows;
    Rng rng(derive_seed(options.seed, "store/train-sample"));
    rng.shuffle(sample);
    sample.resize(std::min(sample.size(), options.train_sample));
    std::sort(sample.begin(), sample.end());
    spdlog::info("training FAISS index '{}' on {} vectors", options.index_factory, sample.size());
    torch::Tensor storage;
    index.train(tensor_rows(matrix.gather(sample), storage));
  }
  ProgressBar progress("faiss index", rows.size(), "vectors");
  for (std::size_t begin = 0; begin < rows.size(); begin += kAddBlockRows) {
    const auto end = std::min(rows.size(), begin + kAddBlockRows);
    torch::Tensor storage;
    index.add(tensor_rows(matrix.gather(std::vector<std::uint64_t>(rows.begin() + static_cast<std::ptrdiff_t>(begin),
                                                                   rows.begin() + static_cast<std::ptrdiff_t>(end))),
                          storage));
    progress.advance(end - begin);
  }
  progress.finish();
  const auto path = dir / store_files::kIndex;
  index.write(path);
  return file_checksum(path);
}

}  // namespace corag
