#pragma once

#include <filesystem>

#include <nlohmann/json.hpp>

#include "corag/demo/synth_config.hpp"

namespace corag {

/// Generates a fictional encyclopaedia into `out` (deterministic for a config and seed):
/// - people (name, birth year and city, occupation, employer, a work), places (country, river,
///   founding year), organisations (industry, founder, headquarters, founding year), works
///   (kind, creator, year) and festivals (editions in different years), rendered into
///   Wikipedia-like passages of ~50-100 words (title + several facts in varied sentence
///   templates + neutral filler) → `passages.jsonl`;
/// - factoid questions with one answer each, answerable only from the passages → `qa.jsonl`,
///   split into `qa.train_pool.jsonl` and `qa.test_pool.jsonl` (the CRAB builder's pools).
/// Hard negatives arise from the world itself: relatives share surnames, namesakes share full
/// names, places and organisations list the people tied to them, festival editions are
/// near-identical; `noise_passages` add irrelevant text. Files are written atomically;
/// `world.json` (the counts, written last) marks a finished world. Returns world.json.
nlohmann::json generate_synthetic_world(const SynthWorldConfig& config, const std::filesystem::path& out);

}  // namespace corag
