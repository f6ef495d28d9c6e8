#include "corag/util/metrics_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "corag/util/error.hpp"

namespace corag {
namespace {

/// Length of the file up to and including its last newline.
off_t complete_lines_length(int fd) {
  struct stat info {};
  if (::fstat(fd, &info) != 0 || info.st_size == 0) return 0;
  char chunk[4096];
  off_t end = info.st_size;
  while (end > 0) {
    const off_t begin = end > static_cast<off_t>(sizeof chunk) ? end - static_cast<off_t>(sizeof chunk) : 0;
    const ssize_t n = ::pread(fd, chunk, static_cast<std::size_t>(end - begin), begin);
    if (n <= 0) return info.st_size;  // unreadable: leave the file as it is
    for (ssize_t i = n - 1; i >= 0; --i) {
      if (chunk[i] == '\n') return begin + i + 1;
    }
    end = begin;
  }
  return 0;
}

}  // namespace

MetricsWriter::MetricsWriter(const std::filesystem::path& path) : path_(path) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  CORAG_CHECK(fd_ >= 0, path.string(), ": cannot open for appending: ", std::strerror(errno));
  struct stat info {};
  const off_t keep = complete_lines_length(fd_);
  if (::fstat(fd_, &info) == 0 && keep < info.st_size) {
    CORAG_CHECK(::ftruncate(fd_, keep) == 0, path.string(), ": cannot cut a partial last line: ", std::strerror(errno));
  }
}

MetricsWriter::~MetricsWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void MetricsWriter::write(const nlohmann::json& record) { write_line(record.dump()); }

bool MetricsWriter::empty() const {
  struct stat info {};
  return ::fstat(fd_, &info) == 0 && info.st_size == 0;
}

void MetricsWriter::write_line(const std::string& text) {
  const std::string line = text + "\n";
  const ssize_t n = ::write(fd_, line.data(), line.size());
  CORAG_CHECK(n == static_cast<ssize_t>(line.size()), path_.string(),
              ": write failed: ", n < 0 ? std::strerror(errno) : "short write");
  CORAG_CHECK(::fsync(fd_) == 0, path_.string(), ": fsync failed: ", std::strerror(errno));
}

}  // namespace corag
