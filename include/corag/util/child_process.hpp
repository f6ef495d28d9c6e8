#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace corag {

/// A program started as a child process with its stdout and stderr written to a log file (or
/// to this process's own, with no log). The owner waits for it; a child still running when its
/// owner is destroyed (an error elsewhere) is killed and reaped, so that none outlives the
/// command that started it.
class ChildProcess {
 public:
  /// Starts `argv[0]` (a path) with `argv` and this process's environment plus `environment`
  /// ("NAME=value", replacing a variable of that name); throws corag::Error naming the program
  /// when it cannot be started or the log cannot be created.
  ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& log,
               const std::vector<std::string>& environment = {});
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  /// The exit status once the child has ended (128 + the signal number when a signal ended
  /// it), without blocking; nullopt while it runs.
  std::optional<int> poll();
  /// Blocks until the child ends; its exit status as poll() gives it.
  int wait();
  /// Ends the child now (SIGKILL) and reaps it; its status is then 128 + 9 unless it had ended.
  void kill_now();

 private:
  std::optional<int> reap(bool block);
  void stop() noexcept;

  pid_t pid_ = -1;
  std::optional<int> status_;
};

}  // namespace corag
