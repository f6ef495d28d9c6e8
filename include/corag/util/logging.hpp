#pragma once

#include <filesystem>
#include <memory>
#include <string_view>

namespace spdlog::sinks {
class sink;
}  // namespace spdlog::sinks

namespace corag {

/// Sends spdlog's default logger to stderr at `level` (trace, debug, info, warn, error, off);
/// `quiet` lowers it to warnings and errors only, which also silences progress bars. An unknown
/// level is a corag::Error that lists the valid ones.
void configure_logging(std::string_view level, bool quiet);

/// While it lives, everything the default logger writes at info level and above is also appended
/// to `path` (a run directory's log, kept across resumes), with dated timestamps.
class RunLogFile {
 public:
  explicit RunLogFile(const std::filesystem::path& path);
  ~RunLogFile();
  RunLogFile(const RunLogFile&) = delete;
  RunLogFile& operator=(const RunLogFile&) = delete;

 private:
  std::shared_ptr<spdlog::sinks::sink> sink_;
};

}  // namespace corag
