#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string_view>

#include "corag/util/mapped_file.hpp"

namespace corag {

/// One passage as stored: views into the memory-mapped table, valid while the table lives.
struct PassageView {
  std::string_view id;
  std::string_view title;
  std::string_view text;
};

/// A passage corpus in a compact binary form, memory-mapped so that 21 M passages need not sit
/// in RAM as strings. Three files in one directory:
/// - `passages.bin`: per passage `u32 id_len, u32 title_len, u32 text_len` then the bytes;
/// - `passages.offsets`: magic `CORAGPT1`, u64 count, then count + 1 u64 byte offsets;
/// - `passages.by_id`: u64 rows sorted by passage id (byte order), for lookups by id.
/// All integers little-endian. Opening validates sizes and offsets, reading a row validates its
/// record; a damaged file is an error that names it.
class PassageTable {
 public:
  /// Streams a corpus (JSONL or DPR TSV) into `dir` (files written atomically); duplicate ids
  /// are an error naming the id. Returns the number of passages.
  static std::size_t build(const std::filesystem::path& corpus, const std::filesystem::path& dir);
  /// Whether `dir` holds a table.
  static bool exists(const std::filesystem::path& dir);

  explicit PassageTable(const std::filesystem::path& dir);

  std::size_t size() const { return count_; }
  PassageView at(std::size_t row) const;
  /// Row of the passage with this id, if any (binary search over `passages.by_id`).
  std::optional<std::size_t> find(std::string_view id) const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  /// The record of `row`, checked against its offsets.
  const std::uint8_t* record(std::size_t row) const;
  std::string_view id_at(std::size_t row) const;

  std::filesystem::path dir_;
  std::unique_ptr<MappedFile> records_, offsets_, by_id_;
  std::size_t count_ = 0;
  const std::uint64_t* offset_ = nullptr;
  const std::uint64_t* sorted_rows_ = nullptr;
};

}  // namespace corag
