#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "corag/util/error.hpp"
#include "corag/util/tool_main.hpp"

int main(int argc, char** argv) {
  CLI::App app{"crab-build-stores: build the CRAB benchmark (client splits, BM25 passage classification, "
               "store variants REL / IRR / REL-1 / SPLIT and the ablations)"};
  corag::CommonOptions options;
  corag::add_common_options(app, options);
  std::string config, out, variants = "REL,IRR,REL-1,SPLIT";
  std::vector<std::string> overrides;
  app.add_option("-c,--config", config, "CRAB build config (configs/crab.yaml)")->required()->check(CLI::ExistingFile);
  app.add_option("--out", out, "output directory")->required();
  app.add_option("--set", overrides, "override: key=value (repeatable)");
  app.add_option("--variants", variants, "comma-separated: REL,IRR,REL-1,SPLIT,ablations")->capture_default_str();
  app.callback([] {
    // The builder needs the store and BM25 layers, which do not exist yet (issue #5).
    corag::throw_error("crab-build-stores: the CRAB builder is not part of this build yet (tracked in issue #5)");
  });
  return corag::run_tool(app, options, argc, argv);
}
