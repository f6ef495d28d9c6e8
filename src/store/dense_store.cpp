#include "corag/store/dense_store.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>
#include <optional>

#include <spdlog/spdlog.h>
#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "corag/models/retriever.hpp"
#include "corag/models/weights_fingerprint.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/file_checksum.hpp"
#include "corag/util/json_fields.hpp"
#include "corag/util/json_strict.hpp"
#include "corag/util/line_reader.hpp"
#include "corag/util/progress_bar.hpp"
#include "corag/util/rng.hpp"
#include "corag/util/safetensors_writer.hpp"

namespace corag {
namespace {

constexpr const char* kMetaName = "meta.json";
constexpr const char* kBuildStateName = "build.json";
constexpr const char* kRowsName = "rows.bin";
constexpr const char* kIndexName = "index.faiss";
constexpr const char* kFormat = "corag-store-1";
constexpr std::size_t kBlockRows = 65536;  // rows per block when streaming embeddings

/// meta.json / build.json of a store; a missing one means no (finished) store.
nlohmann::json read_store_json(const std::filesystem::path& path) {
  CORAG_CHECK(std::filesystem::is_regular_file(path), path.string(),
              ": missing (not a corag store, or an unfinished one)");
  return read_json_file(path);
}

/// A store's meta.json, read once into types; every error names the file.
struct StoreMeta {
  std::size_t count = 0;
  std::int64_t dim = 0;
  std::string fingerprint, index_factory, index_checksum;
  std::optional<std::string> base;  ///< a composed store's root, relative to it
  std::size_t chunk_rows = 0;       ///< root stores: rows per embedding chunk
  std::string dtype;                ///< root stores: embedding dtype on disk
};

StoreMeta read_store_meta(const std::filesystem::path& file) {
  const auto json = read_store_json(file);
  const auto where = file.string();
  const auto unsigned_field = [&](const char* key) {
    CORAG_CHECK(json.contains(key) && json[key].is_number_unsigned(), where, ": '", key,
                "' must be a non-negative integer");
    return json[key].get<std::uint64_t>();
  };
  const auto string_field = [&](const char* key) { return required_string_field(json, key, where); };
  CORAG_CHECK(json.is_object(), where, ": expected a JSON object");
  CORAG_CHECK(string_field("format") == kFormat, where, ": unknown store format '", string_field("format"), "'");
  StoreMeta meta;
  meta.count = unsigned_field("count");
  const auto dim = unsigned_field("dim");
  CORAG_CHECK(dim > 0 && dim <= 65536, where, ": 'dim' ", dim, " is outside [1, 65536]");
  meta.dim = static_cast<std::int64_t>(dim);
  meta.fingerprint = string_field("fingerprint");
  meta.index_factory = string_field("index");
  meta.index_checksum = string_field("index_checksum");
  if (json.contains("base")) {
    meta.base = string_field("base");
  } else {
    meta.chunk_rows = unsigned_field("chunk_rows");
    meta.dtype = string_field("dtype");
  }
  return meta;
}

std::string dtype_name(torch::ScalarType dtype) {
  CORAG_CHECK(dtype == torch::kFloat32 || dtype == torch::kFloat16, "store embeddings are float32 or float16, not ",
              c10::toString(dtype));
  return dtype == torch::kFloat32 ? "float32" : "float16";
}

torch::ScalarType parse_dtype(const std::string& name, const std::string& source) {
  if (name == "float32") return torch::kFloat32;
  if (name == "float16") return torch::kFloat16;
  throw_error(source, ": unknown embedding dtype '", name, "' (float32 or float16)");
}

/// A root store's layout as recorded in build.json and meta.json.
nlohmann::json layout_json(const std::filesystem::path& corpus, std::size_t count, std::int64_t dim,
                           const std::string& fingerprint, const StoreBuildOptions& options) {
  return {{"corpus", std::filesystem::absolute(corpus).string()},
          {"corpus_bytes", std::filesystem::file_size(corpus)},
          {"count", count},
          {"dim", dim},
          {"fingerprint", fingerprint},
          {"dtype", dtype_name(options.dtype)},
          {"chunk_rows", options.chunk_rows}};
}

/// `vectors` [n, dim] as float32 rows for FAISS; `storage` holds the converted copy while they are used.
FloatRows float_rows(const torch::Tensor& vectors, torch::Tensor& storage) {
  storage = vectors.to(torch::kCPU, torch::kFloat32).contiguous();
  CORAG_CHECK(storage.dim() == 2, "FAISS needs [n, dim] vectors, got ", storage.dim(), " dimensions");
  return {storage.data_ptr<float>(), storage.size(0), storage.size(1)};
}

void write_rows(const std::filesystem::path& path, const std::vector<std::uint64_t>& rows) {
  write_file_atomically(path, std::string_view(reinterpret_cast<const char*>(rows.data()), rows.size() * 8));
}

/// Builds and writes `index.faiss` over the embeddings of `rows` (root rows, in store order);
/// returns its checksum, which meta.json records so that a damaged file is refused before
/// FAISS's reader (which trusts every count and offset in it) sees it.
std::string write_index(const std::filesystem::path& dir, const StoreBuildOptions& options,
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
    index.train(float_rows(matrix.gather(sample), storage));
  }
  ProgressBar progress("faiss index", rows.size(), "vectors");
  for (std::size_t begin = 0; begin < rows.size(); begin += kBlockRows) {
    const auto end = std::min(rows.size(), begin + kBlockRows);
    torch::Tensor storage;
    index.add(float_rows(matrix.gather(std::vector<std::uint64_t>(rows.begin() + static_cast<std::ptrdiff_t>(begin),
                                                                  rows.begin() + static_cast<std::ptrdiff_t>(end))),
                         storage));
    progress.advance(end - begin);
  }
  progress.finish();
  index.write(dir / kIndexName);
  return file_checksum(dir / kIndexName);
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
  if (std::filesystem::exists(out / kMetaName)) {
    // A rerun of a build that finished (say, killed just after meta.json took its name) has
    // nothing left to do; a build of anything else into a store is refused.
    const bool same = std::filesystem::exists(out / kBuildStateName) &&
                      read_store_json(out / kBuildStateName) == layout &&
                      read_store_meta(out / kMetaName).index_factory == options.index_factory;
    CORAG_CHECK(same, out.string(),
                ": already holds a store built from other inputs or settings; remove it or choose "
                "another --out");
    spdlog::info("{}: the store is already complete", out.string());
    return;
  }
  if (std::filesystem::exists(out / kBuildStateName)) {
    const auto previous = read_store_json(out / kBuildStateName);
    CORAG_CHECK(previous == layout, out.string(), " holds an unfinished build of something else (", kBuildStateName,
                ": ", previous.dump(), "; now: ", layout.dump(), "); remove the directory to start over");
  } else {
    write_file_atomically(out / kBuildStateName, layout.dump(2) + "\n");
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
    write_safetensors(path, {{"embeddings", torch::cat(parts).to(options.dtype)}});
  }
  progress.finish();
  if (reused > 0) spdlog::info("resumed: {} of {} embedding chunks were already done", reused, chunks);

  std::vector<std::uint64_t> all_rows(table.size());
  std::iota(all_rows.begin(), all_rows.end(), 0);
  const auto checksum = write_index(
      out, options, EmbeddingChunks(out, table.size(), retriever.dim(), options.chunk_rows, options.dtype), all_rows);

  auto meta = layout;
  meta["format"] = kFormat;
  meta["index"] = options.index_factory;
  meta["index_checksum"] = checksum;
  write_file_atomically(out / kMetaName, meta.dump(2) + "\n");  // last: its presence marks the store complete
}

void DenseStore::compose(const std::vector<std::filesystem::path>& from,
                         const std::optional<std::filesystem::path>& ids_file, const std::filesystem::path& out,
                         const StoreBuildOptions& options) {
  CORAG_CHECK(!from.empty(), "compose needs at least one --from store");
  std::vector<std::unique_ptr<DenseStore>> sources;
  for (const auto& dir : from) sources.push_back(std::make_unique<DenseStore>(dir));
  const auto& root = sources.front()->root();
  for (const auto& source : sources) {
    CORAG_CHECK(std::filesystem::equivalent(source->root(), root), source->dir().string(), " is over the root store ",
                source->root().string(), ", not ", root.string(), "; composed stores must share one");
  }
  std::vector<std::uint64_t> rows;
  for (const auto& source : sources) rows.insert(rows.end(), source->rows().begin(), source->rows().end());
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());

  const auto& first = *sources.front();
  if (ids_file) {
    std::vector<std::uint64_t> wanted;
    LineReader lines(*ids_file);
    std::string line;
    while (lines.next(line)) {
      if (line.empty()) continue;
      const auto row = first.table().find(line);
      CORAG_CHECK(row.has_value(), lines.location(), ": passage id '", line, "' is not in the corpus of ",
                  root.string());
      CORAG_CHECK(std::binary_search(rows.begin(), rows.end(), *row), lines.location(), ": passage id '", line,
                  "' is not in the --from store(s)");
      wanted.push_back(*row);
    }
    std::sort(wanted.begin(), wanted.end());
    wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
    rows = std::move(wanted);
  }
  CORAG_CHECK(!rows.empty(), out.string(), ": the composed store would be empty");
  // Writing over a store would replace the index and rows that it, or stores composed over it,
  // are read through (the root's own folder among them).
  CORAG_CHECK(!std::filesystem::exists(out / kMetaName), out.string(),
              ": already holds a store; remove it or choose another --out");

  std::filesystem::create_directories(out);
  write_rows(out / kRowsName, rows);
  const auto checksum = write_index(out, options, *first.chunks_, rows);  // the root's embeddings, already open
  const nlohmann::json meta = {
      {"format", kFormat},
      {"count", rows.size()},
      {"dim", first.dim()},
      {"fingerprint", first.fingerprint()},
      {"index", options.index_factory},
      {"index_checksum", checksum},
      {"base", std::filesystem::relative(std::filesystem::absolute(root), std::filesystem::absolute(out)).string()}};
  write_file_atomically(out / kMetaName, meta.dump(2) + "\n");
}

DenseStore::DenseStore(const std::filesystem::path& dir) : dir_(dir) {
  const auto meta_file = (dir / kMetaName).string();
  const auto meta = read_store_meta(dir / kMetaName);
  const auto count = meta.count;
  dim_ = meta.dim;
  fingerprint_ = meta.fingerprint;
  index_factory_ = meta.index_factory;
  if (meta.base) {
    root_ = std::filesystem::weakly_canonical(dir / *meta.base);
    const MappedFile rows_file(dir / kRowsName);
    CORAG_CHECK(rows_file.size() % 8 == 0 && rows_file.size() / 8 == count, (dir / kRowsName).string(), ": ",
                rows_file.size(), " bytes for ", count, " rows");
    rows_.resize(count);
    if (count > 0) std::memcpy(rows_.data(), rows_file.data(), 8 * count);
  } else {
    root_ = std::filesystem::weakly_canonical(dir);
  }
  const bool is_root = root_ == std::filesystem::weakly_canonical(dir);
  const auto root_meta = is_root ? meta : read_store_meta(root_ / kMetaName);
  CORAG_CHECK(!root_meta.base, (root_ / kMetaName).string(), ": the root store of ", dir.string(),
              " is itself composed; compose from root stores' descendants only");
  table_ = std::make_unique<PassageTable>(root_);
  CORAG_CHECK(!is_root || table_->size() == count, meta_file, ": count ", count, " differs from its passage table");
  if (is_root) {
    rows_.resize(count);
    std::iota(rows_.begin(), rows_.end(), 0);
  }
  CORAG_CHECK(root_meta.fingerprint == fingerprint_, meta_file, ": its fingerprint differs from its root store's");
  for (std::size_t i = 0; i < rows_.size(); ++i) {
    CORAG_CHECK(rows_[i] < table_->size() && (i == 0 || rows_[i] > rows_[i - 1]), (dir / kRowsName).string(),
                ": rows must be ascending and inside the root table of ", table_->size());
  }
  CORAG_CHECK(root_meta.dim == dim_, meta_file, ": dim ", dim_, " differs from its root store's ", root_meta.dim);
  chunks_ = std::make_unique<EmbeddingChunks>(root_, table_->size(), dim_, root_meta.chunk_rows,
                                              parse_dtype(root_meta.dtype, (root_ / kMetaName).string()));
  CORAG_CHECK(file_checksum(dir / kIndexName) == meta.index_checksum, (dir / kIndexName).string(),
              ": its checksum differs from the one meta.json recorded when it was built (a damaged or replaced "
              "file); rebuild the index");
  index_ = std::make_unique<FaissIndex>(FaissIndex::read(dir / kIndexName));
  CORAG_CHECK(index_->size() == static_cast<std::int64_t>(count) && index_->dim() == dim_, (dir / kIndexName).string(),
              ": holds ", index_->size(), " vectors of dim ", index_->dim(), ", meta.json says ", count, " of dim ",
              dim_);
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
  auto hits = index_->search(float_rows(queries, storage), k);
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
