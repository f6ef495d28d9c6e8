#pragma once

#include <CLI/CLI.hpp>

namespace corag::cli {

// Each `corag` subcommand registers itself on the top-level app.
void add_config_command(CLI::App& app);
void add_inspect_command(CLI::App& app);
void add_data_check_command(CLI::App& app);
void add_model_command(CLI::App& app);
void add_embed_command(CLI::App& app);
void add_reader_command(CLI::App& app);
void add_generate_command(CLI::App& app);
void add_bm25_command(CLI::App& app);
void add_index_command(CLI::App& app);
void add_retrieve_command(CLI::App& app);
void add_train_command(CLI::App& app);
void add_eval_command(CLI::App& app);
void add_synth_command(CLI::App& app);
void add_pretrain_command(CLI::App& app);
void add_demo_command(CLI::App& app);
void add_qrels_command(CLI::App& app);
void add_report_command(CLI::App& app);
void add_sweep_plan_command(CLI::App& app);

}  // namespace corag::cli
