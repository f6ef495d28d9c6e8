#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "corag/util/safetensors_reader.hpp"
#include "corag/util/safetensors_writer.hpp"

namespace corag {

/// File names of the Hugging Face layout.
inline constexpr const char* kSafetensorsWeightsName = "model.safetensors";
inline constexpr const char* kSafetensorsIndexName = "model.safetensors.index.json";

/// The tensors of a Hugging Face model directory: `model.safetensors`, or the shards that
/// `model.safetensors.index.json` maps (the single file wins when both exist, as in
/// `transformers`). The index is validated: shard names must be plain files in the directory,
/// each listed tensor must be in its shard, and no shard may hold an unlisted tensor.
class HfModelTensors {
 public:
  explicit HfModelTensors(const std::filesystem::path& model_dir);

  /// All tensor names, sorted.
  std::vector<std::string> names() const;
  const SafetensorsEntry* find(std::string_view name) const;
  /// Throws corag::Error naming the directory when there is no such tensor.
  torch::Tensor tensor(std::string_view name) const;
  /// Metadata of the (first) file.
  const SafetensorsMetadata& metadata() const { return files_.front()->metadata(); }
  const std::filesystem::path& dir() const { return dir_; }
  std::size_t file_count() const { return files_.size(); }

 private:
  std::filesystem::path dir_;
  std::vector<std::unique_ptr<SafetensorsReader>> files_;
  std::unordered_map<std::string, std::size_t> file_of_;  // tensor name -> index into files_
};

/// Saves tensors in the Hugging Face layout under `model_dir`: one `model.safetensors` when the
/// file would be at most `max_shard_bytes`, else `model-0000i-of-0000n.safetensors` shards plus
/// `model.safetensors.index.json` (index written last, so a reader never sees an index whose
/// shards are missing). Weight files of the other layout left by an earlier save are removed.
/// `{"format": "pt"}` is added to the metadata, which `transformers` requires.
void write_hf_model_tensors(const std::filesystem::path& model_dir, const std::vector<NamedTensor>& tensors,
                            std::uint64_t max_shard_bytes = 5'000'000'000ULL, SafetensorsMetadata metadata = {});

}  // namespace corag
