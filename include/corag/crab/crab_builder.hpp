#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/crab/crab_config.hpp"

namespace corag {

/// What `--variants` may name: the store variants, and "ablations" for all ablation stores.
std::vector<std::string> crab_build_variants();

/// Builds the CRAB benchmark into `out` (layout in README.md, "CRAB benchmark"): splits, BM25
/// classification, test and dev stores, the chosen train store variants, optionally searchable FAISS
/// stores composed from `stores.embeddings`, and `manifest.json` (written last). Every invariant
/// is checked before anything is written. The same inputs, config and seed give byte-identical
/// files; an `out` holding a build of other inputs or another config is refused. Returns the
/// manifest.
nlohmann::json build_crab(const CrabConfig& config, const std::string& resolved_config_yaml,
                          const std::filesystem::path& out, const std::vector<std::string>& variants);

}  // namespace corag
