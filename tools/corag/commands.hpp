#pragma once

#include <CLI/CLI.hpp>

namespace corag::cli {

// Each `corag` subcommand registers itself on the top-level app.
void add_config_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_data_check_command(CLI::App& app);

}  // namespace corag::cli
