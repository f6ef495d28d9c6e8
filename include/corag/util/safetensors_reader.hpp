#pragma once

#include <filesystem>
#include <memory>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <torch/types.h>

#include "corag/util/mapped_file.hpp"
#include "corag/util/safetensors_format.hpp"

namespace corag {

/// One safetensors file, memory-mapped and validated on open. Every number in the header is
/// checked before it is used (header length, offsets, shape × dtype size against the byte span,
/// overlaps and holes, dtype names, duplicate names), so a hostile file is a corag::Error naming
/// the file and the tensor, never a crash or an out-of-bounds read.
class SafetensorsReader {
 public:
  explicit SafetensorsReader(const std::filesystem::path& path);

  /// Entries in data-buffer order.
  const std::vector<SafetensorsEntry>& entries() const { return entries_; }
  const SafetensorsMetadata& metadata() const { return metadata_; }
  const std::filesystem::path& path() const { return file_->path(); }

  /// nullptr when the file holds no tensor of that name.
  const SafetensorsEntry* find(std::string_view name) const;
  /// The tensor's bytes, without copying when they are aligned for the dtype: the result keeps
  /// the mapping alive. Throws when there is no such tensor.
  torch::Tensor tensor(std::string_view name) const;
  torch::Tensor tensor(const SafetensorsEntry& entry) const;

 private:
  std::shared_ptr<MappedFile> file_;
  std::uint64_t buffer_offset_ = 0;  // where the data buffer starts in the file
  std::uint64_t buffer_size_ = 0;
  std::vector<SafetensorsEntry> entries_;
  std::unordered_map<std::string_view, std::size_t> index_;  // views into entries_[i].name
  SafetensorsMetadata metadata_;
};

}  // namespace corag
