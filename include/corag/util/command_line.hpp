#pragma once

#include <string>
#include <vector>

namespace corag {

/// This process's command line as it was given (argv[0] included), from /proc/self/cmdline.
std::vector<std::string> own_command_line();

}  // namespace corag
