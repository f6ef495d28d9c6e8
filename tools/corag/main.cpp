#include <CLI/CLI.hpp>

#include "commands.hpp"
#include "tool_main.hpp"

int main(int argc, char** argv) {
  CLI::App app{"corag: collaborative retrieval-augmented generation (CoRAG / CRAB) toolkit"};
  corag::CommonOptions options;
  corag::add_common_options(app, options);
  app.require_subcommand(1);
  corag::cli::add_config_command(app);
  corag::cli::add_inspect_command(app);
  corag::cli::add_data_check_command(app);
  corag::cli::add_model_command(app);
  corag::cli::add_embed_command(app);
  corag::cli::add_reader_command(app);
  corag::cli::add_generate_command(app);
  corag::cli::add_bm25_command(app);
  corag::cli::add_index_command(app);
  corag::cli::add_retrieve_command(app);
  corag::cli::add_train_command(app);
  corag::cli::add_eval_command(app);
  corag::cli::add_synth_command(app);
  corag::cli::add_pretrain_command(app);
  corag::cli::add_demo_command(app);
  corag::cli::add_qrels_command(app);
  corag::cli::add_report_command(app);
  corag::cli::add_sweep_plan_command(app);
  return corag::run_tool(app, options, argc, argv);
}
