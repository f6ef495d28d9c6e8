#include "tool_main.hpp"

#include <cstdio>
#include <exception>

#include "corag/util/device.hpp"
#include "corag/util/error.hpp"
#include "corag/util/logging.hpp"
#include "corag/util/progress_bar.hpp"

namespace corag {

void add_common_options(CLI::App& app, CommonOptions& options) {
  app.add_option("--log-level", options.log_level, "trace, debug, info, warn, error or off")->capture_default_str();
  app.add_flag("-q,--quiet", options.quiet, "only warnings and errors; no progress bars");
  app.set_version_flag(
      "--version", [] { return build_info(); }, "print versions of corag, LibTorch, FAISS and CUDA support");
  // Global options may follow the subcommand: `corag config --config x.yaml --quiet`.
  app.fallthrough();
}

int run_tool(CLI::App& app, const CommonOptions& options, int argc, char** argv) {
  app.parse_complete_callback([&options] {
    configure_logging(options.log_level, options.quiet);
    heartbeat_seconds();  // a bad CORAG_HEARTBEAT_SECONDS fails here, before any work, not at the first progress bar
  });
  try {
    app.parse(argc, argv);
    return 0;
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  } catch (const Error& e) {
    std::fprintf(stderr, "error: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: internal error: %s\n", e.what());
  }
  return 1;
}

}  // namespace corag
