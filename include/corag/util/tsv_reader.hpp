#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "corag/util/line_reader.hpp"

namespace corag {

/// Streams a tab-separated file with an optional header line. Fields may be quoted the way
/// Python's csv module writes them (DPR's psgs_w100.tsv does): a field that starts with '"' ends
/// at the next lone '"', and '""' inside it stands for '"'; it may span lines. With a header, every row must have as
/// many fields as the header; a short, long or badly quoted row is a corag::Error at `file:line`.
class TsvReader {
 public:
  TsvReader(const std::filesystem::path& path, bool has_header);

  /// The header's fields (empty without a header).
  const std::vector<std::string>& header() const { return header_; }
  /// Reads the next non-blank row into `fields`; false at the end of the file.
  bool next(std::vector<std::string>& fields);
  /// `file:line` of the row last read (its first line when a quoted field spans several).
  std::string location() const { return row_location_; }

 private:
  /// Splits `line_` into `fields`, reading further lines while a quoted field is open.
  void split(std::vector<std::string>& fields);

  LineReader lines_;
  std::string line_;
  std::string row_location_;
  std::vector<std::string> header_;
};

}  // namespace corag
