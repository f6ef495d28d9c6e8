#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace corag {

/// Options every tool takes.
struct CommonOptions {
  std::string log_level = "info";
  bool quiet = false;
};

/// Adds `--log-level`, `--quiet` and `--version` to a tool's top-level app.
void add_common_options(CLI::App& app, CommonOptions& options);

/// Parses the command line and runs the chosen command's callback. Returns the exit code:
/// 0 on success (and for --help / --version), 1 after printing `error: <message>` for a
/// corag::Error or any other exception, 2 for a usage error. Logging is configured from the
/// common options before any command runs.
int run_tool(CLI::App& app, const CommonOptions& options, int argc, char** argv);

}  // namespace corag
