#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "corag/util/line_reader.hpp"

namespace corag {

/// Streams a tab-separated file with an optional header line. Fields may be quoted the way
/// Python's csv module writes them (DPR's psgs_w100.tsv does): a field that starts with '"' ends
/// at the next lone '"', and '""' inside it stands for '"'. With a header, every row must have as
/// many fields as the header; a short, long or badly quoted row is a corag::Error at `file:line`.
class TsvReader {
 public:
  TsvReader(const std::filesystem::path& path, bool has_header);

  /// The header's fields (empty without a header).
  const std::vector<std::string>& header() const { return header_; }
  /// Reads the next non-blank row into `fields`; false at the end of the file.
  bool next(std::vector<std::string>& fields);
  std::string location() const { return lines_.location(); }

 private:
  void split(const std::string& line, std::vector<std::string>& fields) const;

  LineReader lines_;
  std::string line_;
  std::vector<std::string> header_;
};

}  // namespace corag
