#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "corag/util/line_reader.hpp"

namespace corag {

/// Streams a JSON-lines file one object at a time; blank lines are skipped and a malformed line
/// is a corag::Error naming `file:line`.
class JsonlReader {
 public:
  explicit JsonlReader(const std::filesystem::path& path) : lines_(path) {}

  /// Parses the next non-blank line into `value`; false at the end of the file.
  bool next(nlohmann::json& value);
  /// "path:line" of the value last read.
  std::string location() const { return lines_.location(); }

 private:
  LineReader lines_;
  std::string line_;
};

}  // namespace corag
