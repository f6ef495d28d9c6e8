#include "corag/store/dense_store.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>
#include <optional>

#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "corag/models/retriever.hpp"
#include "corag/models/weights_fingerprint.hpp"
#include "corag/store/store_files.hpp"
#include "corag/store/tensor_rows.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/file_checksum.hpp"
#include "corag/util/progress_bar.hpp"
#include "corag/util/safetensors_writer.hpp"

namespace corag {
namespace {

constexpr std::size_t kBlockRows = 65536;  // rows per block when streaming embeddings

torch::ScalarType scalar_type(EmbeddingDtype dtype) {
  return dtype == EmbeddingDtype::float16 ? torch::kFloat16 : torch::kFloat32;
}

/// A root store's layout as recorded in build.json and meta.json.
nlohmann::json layout_json(const std::filesystem::path& corpus, std::size_t count, std::int64_t dim,
                           const std::string& fingerprint, const StoreBuildOptions& options) {
  return {{"corpus", std::filesystem::absolute(corpus).string()},
          {"corpus_bytes", std::filesystem::file_size(corpus)},
          {"count", count},
          {"dim", dim},
          {"fingerprint", fingerprint},
          {"dtype", to_string(options.dtype)},
          {"chunk_rows", options.chunk_rows}};
}

}  // namespace

void DenseStore::build(Retriever& retriever, const std::filesystem::path& corpus, const std::filesystem::path& out,
                       const StoreBuildOptions& options) {
  CORAG_CHECK(options.chunk_rows > 0 && options.batch_size > 0, "chunk_rows and batch_size must be positive");
  const auto fingerprint = weights_fingerprint(*retriever.passage_encoder());
  std::filesystem::create_directories(out);
  if (!PassageTable::exists(out)) PassageTable::build(corpus, out);
  const PassageTable table(out);
  const auto layout = layout_json(corpus, table.size(), retriever.dim(), fingerprint, options);
  if (std::filesystem::exists(out / store_files::kMeta)) {
    // A rerun of a build that finished (say, killed just after meta.json took its name) has
    // nothing left to do; a build of anything else into a store is refused.
    const bool same = std::filesystem::exists(out / store_files::kBuildState) &&
                      read_store_json(out / store_files::kBuildState) == layout &&
                      StoreMeta::read(out / store_files::kMeta).index_factory == options.index_factory;
    CORAG_CHECK(same, out.string(),
                ": already holds a store built from other inputs or settings; remove it or choose "
                "another --out");
    spdlog::info("{}: the store is already complete", out.string());
    return;
  }
  if (std::filesystem::exists(out / store_files::kBuildState)) {
    const auto previous = read_store_json(out / store_files::kBuildState);
    CORAG_CHECK(previous == layout, out.string(), " holds an unfinished build of something else (",
                store_files::kBuildState, ": ", previous.dump(), "; now: ", layout.dump(),
                "); remove the directory to start over");
  } else {
    write_file_atomically(out / store_files::kBuildState, layout.dump(2) + "\n");
  }

  const auto chunks = EmbeddingChunks::chunk_count(table.size(), options.chunk_rows);
  ProgressBar progress("embed passages", table.size(), "passages");
  std::size_t reused = 0;
  for (std::size_t c = 0; c < chunks; ++c) {
    const auto begin = c * options.chunk_rows, end = std::min(table.size(), begin + options.chunk_rows);
    const auto path = EmbeddingChunks::chunk_path(out, c);
    if (std::filesystem::exists(path)) {  // finished before an interruption (chunks are atomic)
      ++reused;
      progress.advance(end - begin);
      continue;
    }
    std::vector<torch::Tensor> parts;
    std::vector<std::string> texts;
    for (std::size_t row = begin; row < end; ++row) {
      const auto passage = table.at(row);
      texts.push_back(retriever_passage_text(std::string(passage.title), std::string(passage.text)));
      if (texts.size() == options.batch_size || row + 1 == end) {
        parts.push_back(retriever.embed_passages(texts, texts.size()).cpu());
        progress.advance(texts.size());
        texts.clear();
      }
    }
    std::filesystem::create_directories(path.parent_path());
    write_safetensors(path, {{"embeddings", torch::cat(parts).to(scalar_type(options.dtype))}});
  }
  progress.finish();
  if (reused > 0) spdlog::info("resumed: {} of {} embedding chunks were already done", reused, chunks);

  std::vector<std::uint64_t> all_rows(table.size());
  std::iota(all_rows.begin(), all_rows.end(), 0);
  write_store_docids(out / store_files::kDocids, all_rows, table);
  const auto checksum = write_store_index(
      out, options, EmbeddingChunks(out, table.size(), retriever.dim(), options.chunk_rows, scalar_type(options.dtype)),
      all_rows);

  auto meta = layout;
  meta["format"] = store_files::kFormat;
  meta["index"] = options.index_factory;
  meta["index_checksum"] = checksum;
  write_file_atomically(out / store_files::kMeta, meta.dump(2) + "\n");  // last: its presence marks the store complete
}

DenseStore::DenseStore(const std::filesystem::path& dir) : dir_(dir) {
  const auto meta_file = (dir / store_files::kMeta).string();
  const auto meta = StoreMeta::read(dir / store_files::kMeta);
  const auto count = meta.count;
  dim_ = meta.dim;
  fingerprint_ = meta.fingerprint;
  index_factory_ = meta.index_factory;
  if (meta.base) {
    root_ = std::filesystem::weakly_canonical(dir / *meta.base);
    const MappedFile rows_file(dir / store_files::kRows);
    CORAG_CHECK(rows_file.size() % 8 == 0 && rows_file.size() / 8 == count, (dir / store_files::kRows).string(), ": ",
                rows_file.size(), " bytes for ", count, " rows");
    rows_.resize(count);
    if (count > 0) std::memcpy(rows_.data(), rows_file.data(), 8 * count);
  } else {
    root_ = std::filesystem::weakly_canonical(dir);
  }
  const bool is_root = root_ == std::filesystem::weakly_canonical(dir);
  const auto root_meta = is_root ? meta : StoreMeta::read(root_ / store_files::kMeta);
  CORAG_CHECK(!root_meta.base, (root_ / store_files::kMeta).string(), ": the root store of ", dir.string(),
              " is itself composed; compose from root stores' descendants only");
  table_ = std::make_unique<PassageTable>(root_);
  CORAG_CHECK(!is_root || table_->size() == count, meta_file, ": count ", count, " differs from its passage table");
  if (is_root) {
    rows_.resize(count);
    std::iota(rows_.begin(), rows_.end(), 0);
  }
  CORAG_CHECK(root_meta.fingerprint == fingerprint_, meta_file, ": its fingerprint differs from its root store's");
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    CORAG_CHECK(rows_[i] < table_->size() && (i == 0 || rows_[i] > rows_[i - 1]), (dir / store_files::kRows).string(),
                ": rows must be ascending and inside the root table of ", table_->size());
  }
  CORAG_CHECK(root_meta.dim == dim_, meta_file, ": dim ", dim_, " differs from its root store's ", root_meta.dim);
  chunks_ = std::make_unique<EmbeddingChunks>(root_, table_->size(), dim_, root_meta.chunk_rows,
                                              scalar_type(root_meta.dtype));
  CORAG_CHECK(file_checksum(dir / store_files::kIndex) == meta.index_checksum, (dir / store_files::kIndex).string(),
              ": its checksum differs from the one meta.json recorded when it was built (a damaged or replaced "
              "file); rebuild the index");
  index_ = std::make_unique<FaissIndex>(FaissIndex::read(dir / store_files::kIndex));
  CORAG_CHECK(index_->size() == static_cast<std::int64_t>(count) && index_->dim() == dim_,
              (dir / store_files::kIndex).string(), ": holds ", index_->size(), " vectors of dim ", index_->dim(),
              ", meta.json says ", count, " of dim ", dim_);
}

DenseStore::~DenseStore() = default;

torch::Tensor DenseStore::embeddings(std::size_t begin, std::size_t end) const {
  return chunks_->gather(std::vector<std::uint64_t>(rows_.begin() + static_cast<std::ptrdiff_t>(begin),
                                                    rows_.begin() + static_cast<std::ptrdiff_t>(end)));
}

torch::Tensor DenseStore::row_embeddings(const std::vector<std::uint64_t>& root_rows) const {
  return chunks_->gather(root_rows);
}

void DenseStore::check_passage_encoder(const std::string& encoder_fingerprint,
                                       const std::string& retriever_name) const {
  CORAG_CHECK(encoder_fingerprint == fingerprint_, dir_.string(), " was embedded by passage encoder ", fingerprint_,
              " but ", retriever_name, "'s passage encoder is ", encoder_fingerprint,
              "; rebuild the store with this retriever (corag index build)");
}

std::vector<std::vector<ScoredRow>> DenseStore::top_k(const torch::Tensor& queries, std::size_t k,
                                                      const torch::Device& device,
                                                      torch::ScalarType compute_dtype) const {
  if (index_factory_ != "Flat") return search(queries, k);
  const bool gpu = device.is_cuda();
  return search_exact(queries, k, device, gpu ? compute_dtype : torch::kFloat32, gpu ? std::size_t{32} << 30 : 0);
}

void DenseStore::require_finite(const torch::Tensor& scores) const {
  // NaN would order no hit before another (the sort's ordering breaks) and be written as null.
  CORAG_CHECK(torch::isfinite(scores).all().item<bool>(), dir_.string(),
              ": a similarity score is not finite: the queries or the store's embeddings hold NaN or infinity");
}

std::vector<std::vector<ScoredRow>> DenseStore::search(const torch::Tensor& queries, std::size_t k) const {
  require_finite(queries);
  torch::Tensor storage;
  auto hits = index_->search(tensor_rows(queries, storage), k);
  for (auto& list : hits) {
    for (auto& hit : list) {
      CORAG_CHECK(std::isfinite(hit.score), dir_.string(),
                  ": a similarity score is not finite: the store's embeddings hold NaN or infinity");
      hit.row = static_cast<std::size_t>(rows_[hit.row]);
    }
  }
  return hits;
}

std::vector<std::vector<ScoredRow>> DenseStore::search_exact(const torch::Tensor& queries, std::size_t k,
                                                             const torch::Device& device, torch::ScalarType dtype,
                                                             std::size_t resident_bytes) const {
  torch::NoGradGuard no_grad;
  const bool keep = size() * static_cast<std::size_t>(dim_) * torch::elementSize(dtype) <= resident_bytes;
  if (!keep || resident_device_ != device || resident_dtype_ != dtype) resident_.clear();
  const auto q = queries.to(device, dtype);
  const auto n = q.size(0);
  std::vector<torch::Tensor> block_scores, block_positions;
  std::size_t block_index = 0;
  for (std::size_t begin = 0; begin < size(); begin += kBlockRows, ++block_index) {
    const auto end = std::min(size(), begin + kBlockRows);
    torch::Tensor block;
    if (keep && block_index < resident_.size()) {
      block = resident_[block_index];
    } else {
      block = embeddings(begin, end).to(device, dtype);
      if (keep) resident_.push_back(block);
    }
    const auto scores = torch::matmul(q, block.t()).to(torch::kFloat32);
    const auto kept = std::min<std::int64_t>(static_cast<std::int64_t>(k), scores.size(1));
    const auto top = scores.topk(kept, 1);
    block_scores.push_back(std::get<0>(top));
    block_positions.push_back(std::get<1>(top) + static_cast<std::int64_t>(begin));
  }
  if (keep) {
    resident_device_ = device;
    resident_dtype_ = dtype;
  }
  std::vector<std::vector<ScoredRow>> hits(static_cast<std::size_t>(n));
  if (block_scores.empty()) return hits;
  const auto scores = torch::cat(block_scores, 1).cpu();
  require_finite(scores);
  const auto positions = torch::cat(block_positions, 1).cpu();
  const auto score_view = scores.accessor<float, 2>();
  const auto position_view = positions.accessor<std::int64_t, 2>();
  for (std::int64_t i = 0; i < n; ++i) {
    auto& list = hits[static_cast<std::size_t>(i)];
    for (std::int64_t j = 0; j < scores.size(1); ++j) {
      list.push_back(
          {static_cast<std::size_t>(rows_[static_cast<std::size_t>(position_view[i][j])]), score_view[i][j]});
    }
    std::sort(list.begin(), list.end(), ranks_before);
    list.resize(std::min(list.size(), k));
  }
  return hits;
}

}  // namespace corag
