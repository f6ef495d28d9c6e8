#include "corag/util/line_reader.hpp"

#include "corag/util/error.hpp"
#include "corag/util/input_file.hpp"

namespace corag {

namespace {
constexpr std::size_t kBufferBytes = std::size_t{1} << 16;
}

LineReader::LineReader(const std::filesystem::path& path) : path_(path), buffer_(new char[kBufferBytes]) {
  require_input_file(path);
  in_.rdbuf()->pubsetbuf(buffer_.get(), static_cast<std::streamsize>(kBufferBytes));
  in_.open(path, std::ios::binary);
  CORAG_CHECK(in_.is_open(), path.string(), ": cannot open");
}

bool LineReader::next(std::string& line) {
  if (!std::getline(in_, line)) {
    CORAG_CHECK(!in_.bad(), path_.string(), ": read error after line ", line_number_);
    return false;
  }
  ++line_number_;
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line_number_ == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
  return true;
}

std::string LineReader::location() const { return path_.string() + ":" + std::to_string(line_number_); }

std::size_t count_nonblank_lines(const std::filesystem::path& path) {
  LineReader reader(path);
  std::string line;
  std::size_t count = 0;
  while (reader.next(line)) {
    if (line.find_first_not_of(" \t") != std::string::npos) ++count;
  }
  return count;
}

}  // namespace corag
