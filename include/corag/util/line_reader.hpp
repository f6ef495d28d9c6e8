#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

namespace corag {

/// Streams a text file line by line with its position, for readers that report `file:line`.
/// Strips a trailing '\r' (CRLF files) and a UTF-8 byte-order mark on the first line.
class LineReader {
 public:
  explicit LineReader(const std::filesystem::path& path);

  /// Reads the next line into `line`; false at the end of the file.
  bool next(std::string& line);
  /// 1-based number of the line last read.
  std::size_t line_number() const { return line_number_; }
  /// "path:line" of the line last read, for error messages.
  std::string location() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::unique_ptr<char[]> buffer_;  // not zero-filled: only the part a small file uses is touched
  std::ifstream in_;
  std::size_t line_number_ = 0;
};

/// Number of non-blank lines of a text file (for progress totals); one streaming pass.
std::size_t count_nonblank_lines(const std::filesystem::path& path);

}  // namespace corag
