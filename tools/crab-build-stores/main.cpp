#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "corag/config/config_reader.hpp"
#include "corag/config/config_writer.hpp"
#include "corag/config/store_variants.hpp"
#include "corag/crab/crab_builder.hpp"
#include "corag/util/input_file.hpp"
#include "corag/util/output_lock.hpp"
#include "tool_main.hpp"

int main(int argc, char** argv) {
  CLI::App app{
      "crab-build-stores: build the CRAB benchmark (client splits, BM25 passage classification, "
      "test and dev stores, store variants " +
      corag::store_variant_list(" / ") + " and the ablations)"};
  corag::CommonOptions options;
  corag::add_common_options(app, options);
  std::string config_file, out, variants = corag::store_variant_list(",", {"ablations"});
  std::vector<std::string> overrides;
  app.add_option("-c,--config", config_file, "CRAB build config (configs/crab.yaml)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--out", out, "output directory")->required();
  app.add_option("--set", overrides, "override: section.key=value (repeatable)");
  app.add_option("--variants", variants, "comma-separated, of: " + corag::store_variant_list(",", {"ablations"}))
      ->capture_default_str();
  app.callback([&] {
    const auto config = corag::load_config<corag::CrabConfig>(config_file, overrides);
    corag::require_config_inputs(config.input_paths(), "crab-build-stores");  // before --out is made
    corag::require_output_outside(out, config.stores.embeddings);
    corag::require_output_outside(out, config.bm25.index);
    const corag::OutputLock lock(out, "crab-build-stores");
    std::vector<std::string> chosen;
    std::stringstream list(variants);
    for (std::string item; std::getline(list, item, ',');) {
      if (!item.empty()) chosen.push_back(item);
    }
    const auto manifest = corag::build_crab(config, corag::config_to_yaml(config), out, chosen);
    std::printf("%s\n", manifest.at("stores").dump(2).c_str());
  });
  return corag::run_tool(app, options, argc, argv);
}
