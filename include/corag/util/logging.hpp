#pragma once

#include <string_view>

namespace corag {

/// Sends spdlog's default logger to stderr at `level` (trace, debug, info, warn, error, off);
/// `quiet` lowers it to warnings and errors only, which also silences progress bars. An unknown
/// level is a corag::Error that lists the valid ones.
void configure_logging(std::string_view level, bool quiet);

}  // namespace corag
