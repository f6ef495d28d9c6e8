#include "corag/util/tsv_reader.hpp"

#include "corag/util/error.hpp"

namespace corag {

TsvReader::TsvReader(const std::filesystem::path& path, bool has_header) : lines_(path) {
  if (has_header) {
    CORAG_CHECK(lines_.next(line_), path.string(), ": empty file, expected a header line");
    split(line_, header_);
  }
}

bool TsvReader::next(std::vector<std::string>& fields) {
  while (lines_.next(line_)) {
    if (line_.empty()) continue;
    split(line_, fields);
    CORAG_CHECK(header_.empty() || fields.size() == header_.size(), location(), ": expected ",
                header_.size(), " tab-separated fields, got ", fields.size());
    return true;
  }
  return false;
}

void TsvReader::split(const std::string& line, std::vector<std::string>& fields) const {
  fields.clear();
  std::size_t pos = 0;
  while (true) {
    std::string& field = fields.emplace_back();
    if (pos < line.size() && line[pos] == '"') {
      ++pos;
      while (true) {
        const std::size_t quote = line.find('"', pos);
        CORAG_CHECK(quote != std::string::npos, location(), ": field ", fields.size(),
                    " has an unterminated quote");
        field.append(line, pos, quote - pos);
        pos = quote + 1;
        if (pos < line.size() && line[pos] == '"') {
          field.push_back('"');
          ++pos;
          continue;
        }
        break;
      }
      CORAG_CHECK(pos == line.size() || line[pos] == '\t', location(), ": field ", fields.size(),
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
