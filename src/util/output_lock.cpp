#include "corag/util/output_lock.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"

namespace corag {

OutputLock::OutputLock(const std::filesystem::path& dir, const std::string& command) {
  std::filesystem::create_directories(dir);
  const auto path = dir / ".corag.lock";
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  CORAG_CHECK(fd_ >= 0, path.string(), ": cannot open: ", std::strerror(errno));
  struct flock whole {};
  whole.l_type = F_WRLCK;
  whole.l_whence = SEEK_SET;
  if (::fcntl(fd_, F_SETLK, &whole) != 0) {
    const int error = errno;
    struct flock holder = whole;
    const bool found = ::fcntl(fd_, F_GETLK, &holder) == 0 && holder.l_type != F_UNLCK;
    ::close(fd_);
    fd_ = -1;
    CORAG_CHECK(error != EACCES && error != EAGAIN, dir.string(), ": another corag process",
                found ? " (pid " + std::to_string(holder.l_pid) + ")" : std::string(),
                " is writing this folder; wait for it to end or choose another output (", command, ")");
    throw_error(path.string(), ": cannot lock: ", std::strerror(error));
  }
  const auto removed = remove_stale_temporaries(dir);
  if (removed > 0) spdlog::info("{}: removed {} temporaries a killed run left behind", dir.string(), removed);
}

OutputLock::~OutputLock() {
  if (fd_ >= 0) ::close(fd_);  // releases the lock
}

}  // namespace corag
