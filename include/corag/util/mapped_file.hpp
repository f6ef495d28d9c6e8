#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>

namespace corag {

/// A whole file mapped into memory, copy-on-write: readers get the bytes without copying them,
/// and a stray in-place write to a tensor viewing the mapping never reaches the file.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  /// Start of the mapping; nullptr for an empty file.
  std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace corag
