#include "corag/util/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <streambuf>
#include <string>
#include <vector>

#include "corag/util/error.hpp"

namespace corag {
namespace fs = std::filesystem;

namespace {

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, const char* data, std::size_t size, const fs::path& path) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_error(path.string(), ": write failed: ", errno_text());
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
}

void fsync_directory(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // Best effort: some filesystems do not allow opening directories.
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

/// An output streambuf over a file descriptor, so that the data can be fsync'ed before rename.
class AtomicFileWriter::Buffer : public std::streambuf {
 public:
  Buffer(int fd, fs::path path) : fd_(fd), path_(std::move(path)), data_(new char[kBytes]) {
    setp(data_.get(), data_.get() + kBytes);
  }
  ~Buffer() override {
    if (fd_ >= 0) ::close(fd_);
  }

  void flush_to_fd() {
    write_all(fd_, pbase(), static_cast<std::size_t>(pptr() - pbase()), path_);
    setp(data_.get(), data_.get() + kBytes);
  }

  void close_synced() {
    flush_to_fd();
    if (::fsync(fd_) != 0) throw_error(path_.string(), ": fsync failed: ", errno_text());
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) throw_error(path_.string(), ": close failed: ", errno_text());
  }

 protected:
  int_type overflow(int_type ch) override {
    flush_to_fd();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }

  std::streamsize xsputn(const char* s, std::streamsize n) override {
    if (n <= 0) return 0;  // an empty write may come with a null `s`, which memcpy must not see
    if (n >= static_cast<std::streamsize>(epptr() - pptr())) {
      flush_to_fd();
      if (n >= static_cast<std::streamsize>(kBytes)) {
        write_all(fd_, s, static_cast<std::size_t>(n), path_);
        return n;
      }
    }
    std::memcpy(pptr(), s, static_cast<std::size_t>(n));
    pbump(static_cast<int>(n));
    return n;
  }

  int sync() override {
    flush_to_fd();
    return 0;
  }

 private:
  static constexpr std::size_t kBytes = std::size_t{1} << 16;
  int fd_;
  fs::path path_;
  std::unique_ptr<char[]> data_;  // not zero-filled: a small file touches only its first pages
};

AtomicFileWriter::AtomicFileWriter(fs::path target) : target_(std::move(target)) {
  CORAG_CHECK(!target_.filename().empty(), "cannot write to '", target_.string(), "': not a file path");
  const fs::path dir = target_.parent_path();
  if (!dir.empty()) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    CORAG_CHECK(!ec, dir.string(), ": cannot create directory: ", ec.message());
  }
  std::string pattern = (dir / ("." + target_.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(pattern.data());
  CORAG_CHECK(fd >= 0, target_.string(), ": cannot create a temporary file beside it: ", errno_text());
  temp_path_ = pattern;
  // mkstemp creates 0600 files; give the result the usual permissions (subject to umask).
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  buffer_ = std::make_unique<Buffer>(fd, temp_path_);
  stream_ = std::make_unique<std::ostream>(buffer_.get());
  // Errors inside the streambuf are exceptions that must reach the caller, not a failbit.
  stream_->exceptions(std::ios::badbit);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (!committed_) {
    stream_.reset();
    buffer_.reset();
    std::error_code ignored;
    fs::remove(temp_path_, ignored);
  }
}

std::ostream& AtomicFileWriter::stream() { return *stream_; }

void AtomicFileWriter::write(const void* data, std::size_t size) {
  stream_->write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}

void AtomicFileWriter::commit() {
  CORAG_CHECK(!committed_, target_.string(), ": committed twice");
  try {
    stream_->flush();
  } catch (const std::ios_base::failure&) {
    throw_error(target_.string(), ": write failed");
  }
  buffer_->close_synced();
  if (::rename(temp_path_.c_str(), target_.c_str()) != 0) {
    throw_error(target_.string(), ": cannot rename temporary file into place: ", errno_text());
  }
  committed_ = true;
  fsync_directory(target_.parent_path());
}

namespace {

/// Renames an existing `dir` to its hidden temporary sibling and returns that; empty when `dir`
/// does not exist.
fs::path move_aside(const fs::path& dir) {
  if (!fs::exists(dir)) return {};
  const auto retired = dir.parent_path() / ("." + dir.filename().string() + ".old.tmp");
  fs::remove_all(retired);
  fs::rename(dir, retired);
  return retired;
}

}  // namespace

void remove_directory_atomically(const fs::path& dir) {
  const auto retired = move_aside(dir);
  if (!retired.empty()) fs::remove_all(retired);
}

void write_directory_atomically(const fs::path& target, const std::function<void(const fs::path&)>& fill) {
  const auto temporary = target.parent_path() / ("." + target.filename().string() + ".tmp");
  fs::remove_all(temporary);
  fs::create_directories(temporary);
  fill(temporary);
  // The old target is removed only once the new one has its name.
  const auto retired = move_aside(target);
  fs::rename(temporary, target);
  if (!retired.empty()) fs::remove_all(retired);
}

std::size_t remove_stale_temporaries(const fs::path& dir) {
  std::vector<fs::path> stale;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    const auto name = it->path().filename().string();
    if (name.empty() || name.front() != '.') continue;
    const bool file = it->is_regular_file() && name.find(".tmp-") != std::string::npos;
    const bool folder = it->is_directory() && name.size() > 4 && name.compare(name.size() - 4, 4, ".tmp") == 0;
    if (!file && !folder) continue;
    stale.push_back(it->path());
    if (folder) it.disable_recursion_pending();
  }
  for (const auto& path : stale) fs::remove_all(path);
  return stale.size();
}

void write_file_atomically(const fs::path& path, std::string_view contents) {
  AtomicFileWriter writer(path);
  writer.write(contents.data(), contents.size());
  writer.commit();
}

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write_contents) {
  AtomicFileWriter writer(path);
  write_contents(writer.stream());
  writer.commit();
}

}  // namespace corag
