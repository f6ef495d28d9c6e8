#include "corag/util/logging.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <array>
#include <utility>

#include "corag/util/error.hpp"

namespace corag {

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
  logger->set_pattern("[%H:%M:%S] %^%l%$ %v");
  logger->set_level(chosen);
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace corag
