#include "corag/util/logging.hpp"

#include <spdlog/details/file_helper.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <string>
#include <utility>

#include "corag/util/error.hpp"

namespace corag {
namespace {

constexpr const char* kPattern = "[%Y-%m-%d %H:%M:%S] %^%l%$ %v";

/// A log file written through line by line, so that a killed run's log keeps every line it logged.
class FlushingFileSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit FlushingFileSink(const std::string& path) { file_.open(path, /*truncate=*/false); }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    file_.write(formatted);
    file_.flush();
  }
  void flush_() override { file_.flush(); }

 private:
  spdlog::details::file_helper file_;
};

}  // namespace

void configure_logging(std::string_view level, bool quiet) {
  static constexpr std::array<std::pair<std::string_view, spdlog::level::level_enum>, 6> kLevels{{
      {"trace", spdlog::level::trace},
      {"debug", spdlog::level::debug},
      {"info", spdlog::level::info},
      {"warn", spdlog::level::warn},
      {"error", spdlog::level::err},
      {"off", spdlog::level::off},
  }};
  auto chosen = spdlog::level::info;
  bool known = false;
  for (const auto& [name, value] : kLevels) {
    if (name == level) {
      chosen = value;
      known = true;
    }
  }
  CORAG_CHECK(known, "--log-level: unknown level '", level, "' (use trace, debug, info, warn, error or off)");
  if (quiet && chosen < spdlog::level::warn) chosen = spdlog::level::warn;

  auto logger = spdlog::stderr_color_mt("corag");
  logger->set_pattern(kPattern);
  logger->set_level(chosen);
  spdlog::set_default_logger(std::move(logger));
}

RunLogFile::RunLogFile(const std::filesystem::path& path) {
  try {
    sink_ = std::make_shared<FlushingFileSink>(path.string());
  } catch (const spdlog::spdlog_ex& e) {
    throw_error(path.string(), ": cannot open the run's log file: ", e.what());
  }
  sink_->set_pattern(kPattern);
  sink_->set_level(spdlog::level::info);
  spdlog::default_logger()->sinks().push_back(sink_);
}

RunLogFile::~RunLogFile() {
  auto& sinks = spdlog::default_logger()->sinks();
  sinks.erase(std::remove(sinks.begin(), sinks.end(), sink_), sinks.end());
}

}  // namespace corag
