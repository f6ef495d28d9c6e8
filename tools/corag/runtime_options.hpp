#pragma once

#include <CLI/CLI.hpp>

#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"
#include "enum_option.hpp"

namespace corag::cli {

/// `--device`, `--precision`, `--threads`, `--seed` for commands that run a model outside an
/// experiment config; `apply_runtime` then resolves them exactly as a config's `runtime:`.
inline void add_runtime_options(CLI::App& command, RuntimeConfig& runtime) {
  command.add_option("--device", runtime.device, "cpu, cuda, cuda:N or auto")->capture_default_str();
  add_enum_option(command, "--precision", runtime.precision, "fp32, bf16 or auto (bf16 on CUDA)");
  command.add_option("--threads", runtime.threads, "CPU threads (0: one per core)")->capture_default_str();
  command.add_option("--seed", runtime.seed, "random seed")->capture_default_str();
}

}  // namespace corag::cli
