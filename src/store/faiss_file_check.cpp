#include "corag/store/faiss_file_check.hpp"

#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>

#include "corag/util/error.hpp"

namespace corag {
namespace {

constexpr std::uint32_t fourcc(const char (&code)[5]) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(code[0])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(code[1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(code[2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(code[3])) << 24;
}

constexpr std::int64_t kMaxDimension = std::int64_t{1} << 20;
constexpr std::uint64_t kMaxLists = std::uint64_t{1} << 24;  // the factory check's bound on IVF's nlist
constexpr std::uint64_t kMaxCodeSize = std::uint64_t{1} << 22;
constexpr int kMaxDepth = 6;  // transforms, IVF, its HNSW quantizer, that one's storage, ...
constexpr int kMaxTransforms = 8;

/// The walk: FAISS's field order and sizes (faiss/impl/index_read.cpp of 1.7.3, whose Index has
/// int d, int64 ntotal, bool is_trained, int metric_type; vectors are a uint64 length then the
/// elements).
class FaissFileWalk {
 public:
  explicit FaissFileWalk(const std::filesystem::path& path) : path_(path), in_(path, std::ios::binary) {
    CORAG_CHECK(in_, path.string(), ": cannot open");
    in_.seekg(0, std::ios::end);
    size_ = static_cast<std::uint64_t>(in_.tellg());
    in_.seekg(0);
  }

  void whole_file() {
    index(0);
    require(offset_ == size_, "the index", size_ - offset_, " bytes after the index's end");
  }

 private:
  template <typename... Parts>
  void require(bool holds, const char* field, const Parts&... parts) {
    if (!holds) {
      throw_error(path_.string(), ": not a FAISS index corag reads: ", field, " (byte ", field_offset_,
                  "): ", parts...);
    }
  }

  template <typename T>
  T read(const char* field) {
    field_offset_ = offset_;
    require(size_ - offset_ >= sizeof(T), field, "the file ends after ", size_, " bytes");
    T value;
    in_.read(reinterpret_cast<char*>(&value), sizeof value);
    require(static_cast<bool>(in_), field, "read error");
    offset_ += sizeof value;
    return value;
  }

  bool flag(const char* field) {
    const auto byte = read<std::uint8_t>(field);
    require(byte <= 1, field, "a bool holds ", static_cast<int>(byte));
    return byte == 1;
  }

  /// A vector's length, its elements skipped; the length must fit in what is left of the file.
  std::uint64_t vector(const char* field, std::uint64_t element_bytes) {
    const auto count = read<std::uint64_t>(field);
    require(count <= (size_ - offset_) / element_bytes, field, count, " elements of ", element_bytes,
            " bytes claimed, ", size_ - offset_, " bytes left in the file");
    skip(count * element_bytes);
    return count;
  }

  void skip(std::uint64_t bytes) {
    offset_ += bytes;
    in_.seekg(static_cast<std::streamoff>(offset_));
  }

  struct Header {
    std::int64_t d = 0, ntotal = 0;
  };

  Header index_header() {
    Header header;
    header.d = read<std::int32_t>("d");
    require(header.d >= 1 && header.d <= kMaxDimension, "d", "dimension ", header.d);
    header.ntotal = read<std::int64_t>("ntotal");
    require(header.ntotal >= 0 && header.ntotal <= (std::int64_t{1} << 40), "ntotal", header.ntotal, " vectors");
    read<std::int64_t>("unused");
    read<std::int64_t>("unused");
    flag("is_trained");
    const auto metric = read<std::int32_t>("metric_type");
    require(metric >= 0 && metric <= 23, "metric_type", "metric ", metric);
    if (metric > 1) read<float>("metric_arg");
    return header;
  }

  void index(int depth) {
    require(depth < kMaxDepth, "index", "nested ", depth, " levels deep");
    const auto kind = read<std::uint32_t>("fourcc");
    if (kind == fourcc("IxFI") || kind == fourcc("IxF2") || kind == fourcc("IxFl")) {
      const auto header = index_header();
      // FAISS reads the number of floats and allocates 4 bytes per float.
      const auto floats = read<std::uint64_t>("codes");
      require(floats <= (size_ - offset_) / 4, "codes", floats, " floats claimed, ", size_ - offset_,
              " bytes left in the file");
      skip(floats * 4);
      require(floats == static_cast<std::uint64_t>(header.ntotal * header.d), "codes", floats, " floats for ",
              header.ntotal, " vectors of ", header.d);
    } else if (kind == fourcc("IxPq")) {
      const auto header = index_header();
      product_quantizer(header.d);
      vector("codes", 1);
      // Read into an enum later, so only its enumerators may stand here (0 = ST_PQ ... 5).
      const auto search_type = read<std::int32_t>("search_type");
      require(search_type >= 0 && search_type <= 5, "search_type", "search type ", search_type);
      flag("encode_signs");
      read<std::int32_t>("polysemous_ht");
    } else if (kind == fourcc("IxSQ")) {
      const auto header = index_header();
      scalar_quantizer(header.d);
      vector("codes", 1);
    } else if (kind == fourcc("IHNf") || kind == fourcc("IHNs")) {
      index_header();
      vector("hnsw.assign_probas", sizeof(double));
      vector("hnsw.cum_nneighbor_per_level", sizeof(std::int32_t));
      vector("hnsw.levels", sizeof(std::int32_t));
      vector("hnsw.offsets", sizeof(std::uint64_t));
      vector("hnsw.neighbors", sizeof(std::int32_t));
      for (const char* field :
           {"hnsw.entry_point", "hnsw.max_level", "hnsw.efConstruction", "hnsw.efSearch", "hnsw.upper_beam"}) {
        read<std::int32_t>(field);
      }
      index(depth + 1);  // the vectors' storage
    } else if (kind == fourcc("IwFl") || kind == fourcc("IwPQ") || kind == fourcc("IwSq")) {
      const auto header = index_header();
      const auto lists = read<std::uint64_t>("nlist");
      require(lists >= 1 && lists <= kMaxLists, "nlist", lists, " lists");
      read<std::uint64_t>("nprobe");
      index(depth + 1);  // the coarse quantizer
      direct_map();
      if (kind == fourcc("IwPQ")) {
        flag("by_residual");
        read<std::uint64_t>("code_size");
        product_quantizer(header.d);
      } else if (kind == fourcc("IwSq")) {
        scalar_quantizer(header.d);
        read<std::uint64_t>("code_size");
        flag("by_residual");
      }
      inverted_lists(lists);
    } else if (kind == fourcc("IxPT")) {
      index_header();
      const auto transforms = read<std::int32_t>("transform count");
      require(transforms >= 0 && transforms <= kMaxTransforms, "transform count", transforms, " transforms");
      for (std::int32_t i = 0; i < transforms; ++i) vector_transform();
      index(depth + 1);
    } else {
      char name[5] = {};
      std::memcpy(name, &kind, 4);
      for (auto& c : name) c = (c >= 32 && c < 127) || c == '\0' ? c : '?';
      require(false, "fourcc", "'", name, "' is not a kind of index corag builds");
    }
  }

  void product_quantizer(std::int64_t d) {
    const auto dimension = read<std::uint64_t>("pq.d");
    require(dimension == static_cast<std::uint64_t>(d), "pq.d", "dimension ", dimension, " in an index of ", d);
    const auto subquantizers = read<std::uint64_t>("pq.M");
    require(subquantizers >= 1 && dimension % subquantizers == 0, "pq.M", subquantizers,
            " sub-quantizers for dimension ", dimension);
    const auto bits = read<std::uint64_t>("pq.nbits");
    require(bits >= 1 && bits <= 16, "pq.nbits", bits, " bits per code");
    // FAISS sizes the centroid table to d x 2^nbits before it reads its stored length.
    const auto centroids = dimension << bits;
    require(centroids <= (size_ - offset_) / sizeof(float), "pq.centroids", centroids, " centroid values for ",
            dimension, " x 2^", bits, ", ", size_ - offset_, " bytes left in the file");
    vector("pq.centroids", sizeof(float));
  }

  void scalar_quantizer(std::int64_t d) {
    const auto type = read<std::int32_t>("sq.qtype");
    require(type >= 0 && type <= 6, "sq.qtype", "quantizer type ", type);
    const auto rangestat = read<std::int32_t>("sq.rangestat");
    require(rangestat >= 0 && rangestat <= 3, "sq.rangestat", "range statistic ", rangestat);
    read<float>("sq.rangestat_arg");
    const auto dimension = read<std::uint64_t>("sq.d");
    require(dimension == static_cast<std::uint64_t>(d), "sq.d", "dimension ", dimension, " in an index of ", d);
    read<std::uint64_t>("sq.code_size");
    vector("sq.trained", sizeof(float));
  }

  void direct_map() {
    const auto type = read<std::uint8_t>("direct_map.type");
    require(type <= 2, "direct_map.type", "type ", static_cast<int>(type));
    vector("direct_map.array", sizeof(std::int64_t));
    if (type == 2) vector("direct_map.hashtable", 2 * sizeof(std::int64_t));
  }

  void inverted_lists(std::uint64_t lists) {
    const auto kind = read<std::uint32_t>("invlists fourcc");
    require(kind == fourcc("ilar"), "invlists fourcc", "not an array of inverted lists held in the file");
    const auto count = read<std::uint64_t>("invlists.nlist");
    require(count == lists, "invlists.nlist", count, " lists in an index of ", lists);
    const auto code_size = read<std::uint64_t>("invlists.code_size");
    require(code_size >= 1 && code_size <= kMaxCodeSize, "invlists.code_size", code_size, "-byte codes");
    const auto layout = read<std::uint32_t>("invlists sizes");
    std::uint64_t vectors = 0;
    // Each list's codes and ids follow its size; only their total must fit, so the sizes are
    // added up as they come (checked against the bytes left, which also bounds the sum).
    const auto add = [&](std::uint64_t size) {
      const auto room = (size_ - offset_) / (code_size + sizeof(std::int64_t));
      require(size <= room && vectors <= room - size, "invlists sizes", "lists of ", vectors, " + ", size,
              " vectors claimed, ", size_ - offset_, " bytes left in the file");
      vectors += size;
    };
    const auto sizes_start = offset_;
    if (layout == fourcc("full")) {
      const auto stored = read<std::uint64_t>("invlists sizes");
      require(stored == lists, "invlists sizes", stored, " sizes for ", lists, " lists");
      require(stored <= (size_ - offset_) / sizeof(std::uint64_t), "invlists sizes", "past the end of the file");
      for (std::uint64_t i = 0; i < stored; ++i) add(read<std::uint64_t>("invlists sizes"));
    } else if (layout == fourcc("sprs")) {
      const auto stored = read<std::uint64_t>("invlists sizes");
      require(stored % 2 == 0, "invlists sizes", "a sparse table of odd length ", stored);
      require(stored <= (size_ - offset_) / sizeof(std::uint64_t), "invlists sizes", "past the end of the file");
      for (std::uint64_t i = 0; i < stored; i += 2) {
        const auto list = read<std::uint64_t>("invlists sizes");
        require(list < lists, "invlists sizes", "list ", list, " of ", lists);
        add(read<std::uint64_t>("invlists sizes"));
      }
    } else {
      require(false, "invlists sizes", "unknown layout");
    }
    field_offset_ = sizes_start;
    require(vectors <= (size_ - offset_) / (code_size + sizeof(std::int64_t)), "invlists", vectors, " vectors of ",
            code_size, "-byte codes claimed, ", size_ - offset_, " bytes left in the file");
    skip(vectors * (code_size + sizeof(std::int64_t)));
  }

  void vector_transform() {
    const auto kind = read<std::uint32_t>("transform fourcc");
    if (kind == fourcc("PCAm") || kind == fourcc("PcAm") || kind == fourcc("Pcam")) {
      read<float>("pca.eigen_power");
      if (kind == fourcc("Pcam")) read<float>("pca.epsilon");
      flag("pca.random_rotation");
      if (kind != fourcc("PCAm")) read<std::int32_t>("pca.balanced_bins");
      vector("pca.mean", sizeof(float));
      vector("pca.eigenvalues", sizeof(float));
      vector("pca.PCAMat", sizeof(float));
    } else {
      require(kind == fourcc("LTra"), "transform fourcc", "not a transform corag builds (OPQ or PCA)");
    }
    flag("transform.have_bias");
    vector("transform.A", sizeof(float));
    vector("transform.b", sizeof(float));
    const auto d_in = read<std::int32_t>("transform.d_in");
    const auto d_out = read<std::int32_t>("transform.d_out");
    require(d_in >= 1 && d_in <= kMaxDimension && d_out >= 1 && d_out <= kMaxDimension, "transform.d_in", "maps ", d_in,
            " to ", d_out, " dimensions");
    flag("transform.is_trained");
  }

  std::filesystem::path path_;
  std::ifstream in_;
  std::uint64_t size_ = 0, offset_ = 0, field_offset_ = 0;
};

}  // namespace

void check_faiss_file(const std::filesystem::path& path) { FaissFileWalk(path).whole_file(); }

}  // namespace corag
