#pragma once

#include <cstdint>
#include <filesystem>

#include <nlohmann/json.hpp>

namespace corag {

/// Writes a randomly initialised (HF `_init_weights`, seeded) BERT/Contriever directory:
/// config.json from `config` (HF keys; absent ones take bert-base's values, `vocab_size` the
/// vocabulary's size), weights, `vocab.txt` and `tokenizer_config.json`.
void write_random_retriever(const nlohmann::json& config, const std::filesystem::path& vocab_file,
                            const std::filesystem::path& out_dir, std::uint64_t seed);

/// Writes a randomly initialised T5 directory: config.json from `config` (absent keys take
/// t5-base's values, `vocab_size` the SentencePiece size + 100 sentinels), weights and
/// `spiece.model`. A positive `relative_bias_std` is the relative position biases' init std.
void write_random_reader(const nlohmann::json& config, const std::filesystem::path& spiece_model,
                         const std::filesystem::path& out_dir, std::uint64_t seed, double relative_bias_std = 0.0);

}  // namespace corag
