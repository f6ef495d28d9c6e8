#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "corag/config/enum_names.hpp"

namespace corag {

/// How a store keeps its embedding matrix on disk.
enum class EmbeddingDtype { float32, float16 };

inline const EnumNames<EmbeddingDtype>& enum_names(EmbeddingDtype) {
  static const EnumNames<EmbeddingDtype> names = {{EmbeddingDtype::float32, "float32"},
                                                  {EmbeddingDtype::float16, "float16"}};
  return names;
}

/// How `DenseStore::build` and `compose_store` make a store.
struct StoreBuildOptions {
  std::string index_factory = "Flat";              ///< FAISS factory string; Flat = exact inner product
  EmbeddingDtype dtype = EmbeddingDtype::float32;  ///< embeddings on disk
  std::size_t batch_size = 64;                     ///< passages per forward pass
  std::size_t chunk_rows = 65536;                  ///< passages per embedding chunk (the unit of resuming)
  std::size_t train_sample = 262144;               ///< vectors sampled to train IVF/PQ factories
  std::uint64_t seed = 0;                          ///< training sample
};

}  // namespace corag
