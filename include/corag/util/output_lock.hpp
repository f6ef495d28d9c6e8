#pragma once

#include <filesystem>
#include <string>

namespace corag {

/// Exclusive use of an output folder for the lifetime of the object: a POSIX record lock on the
/// empty file `dir/.corag.lock`, which the kernel releases when the process ends however it
/// ends, so a killed run never leaves the folder locked. A second corag process writing the same
/// folder is refused with the holder's pid. (A record lock belongs to the process: one process
/// holds at most one OutputLock per folder.) Once the lock is held, temporaries
/// that killed writers left in the folder (AtomicFileWriter's `.NAME.tmp-XXXXXX` files,
/// write_directory_atomically's `.NAME.tmp` folders) are removed: no live writer can own them.
class OutputLock {
 public:
  /// Creates `dir` when missing; `command` names this command in the refusal.
  OutputLock(const std::filesystem::path& dir, const std::string& command);
  ~OutputLock();
  OutputLock(const OutputLock&) = delete;
  OutputLock& operator=(const OutputLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace corag
