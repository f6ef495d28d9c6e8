#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "corag/store/store_build_options.hpp"

namespace corag {

/// Writes to `out` a store of the union of the `from` stores' passages (all over the same root
/// store), cut to the passage ids listed in `ids_file` (one per line) when given, reusing the
/// root's embeddings (nothing is re-embedded): `rows.bin`, `index.faiss` and, last, `meta.json`.
/// Unknown ids, an empty result and an `out` that already holds a store are errors.
void compose_store(const std::vector<std::filesystem::path>& from, const std::optional<std::filesystem::path>& ids_file,
                   const std::filesystem::path& out, const StoreBuildOptions& options);

}  // namespace corag
