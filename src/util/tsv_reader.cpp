#include "corag/util/tsv_reader.hpp"

#include "corag/util/error.hpp"
#include "corag/util/utf8.hpp"

namespace corag {

TsvReader::TsvReader(const std::filesystem::path& path, bool has_header) : lines_(path) {
  if (has_header) {
    CORAG_CHECK(lines_.next(line_), path.string(), ": empty file, expected a header line");
    row_location_ = lines_.location();
    split(header_);
  }
}

bool TsvReader::next(std::vector<std::string>& fields) {
  while (lines_.next(line_)) {
    if (line_.empty()) continue;
    row_location_ = lines_.location();
    split(fields);
    const auto invalid = first_invalid_utf8(line_);
    CORAG_CHECK(!invalid, row_location_, ": not valid UTF-8 (byte ", *invalid, " of the row)");
    CORAG_CHECK(header_.empty() || fields.size() == header_.size(), row_location_, ": expected ", header_.size(),
                " tab-separated fields, got ", fields.size());
    return true;
  }
  return false;
}

void TsvReader::split(std::vector<std::string>& fields) {
  fields.clear();
  std::string& line = line_;
  std::size_t pos = 0;
  while (true) {
    std::string& field = fields.emplace_back();
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      while (true) {
        std::size_t quote = line.find('"', pos);
        // A quoted field may hold newlines (Python's csv writes them as they are): the row goes
        // on in the next line of the file.
        while (quote == std::string::npos) {
          std::string more;
          CORAG_CHECK(lines_.next(more), row_location_, ": field ", fields.size(), " has an unterminated quote");
          line += '\n';
          line += more;
          quote = line.find('"', pos);
        }
        field.append(line, pos, quote - pos);
        pos = quote + 1;
        if (pos < line.size() && line[pos] == '"') {
          field.push_back('"');
          ++pos;
          continue;
        }
        break;
      }
      CORAG_CHECK(pos == line.size() || line[pos] == '\t', row_location_, ": field ", fields.size(),
                  " has text after its closing quote");
    } else {
      const std::size_t tab = line.find('\t', pos);
      field.assign(line, pos, (tab == std::string::npos ? line.size() : tab) - pos);
      pos = tab == std::string::npos ? line.size() : tab;
    }
    if (pos == line.size()) return;
    ++pos;  // skip the tab
  }
}

}  // namespace corag
