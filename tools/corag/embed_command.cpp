#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "commands.hpp"
#include "corag/models/retriever.hpp"
#include "corag/util/error.hpp"
#include "corag/util/input_file.hpp"
#include "corag/util/json_fields.hpp"
#include "corag/util/jsonl_reader.hpp"
#include "corag/util/line_reader.hpp"
#include "corag/util/progress_bar.hpp"
#include "corag/util/safetensors_writer.hpp"
#include "runtime_options.hpp"

namespace corag::cli {

void add_embed_command(CLI::App& app) {
  struct Options {
    std::string retriever, input, out, kind = "query";
    std::size_t batch_size = 64;
    std::size_t max_length = 0;
    RuntimeConfig runtime;
  };
  auto options = std::make_shared<Options>();
  auto* command = app.add_subcommand("embed", "embed queries or passages with a Contriever retriever");
  command->add_option("--retriever", options->retriever, "HF BERT/Contriever directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  command->add_option("--input", options->input, "JSONL: 'question' per line (query) or 'title'/'text' (passage)")
      ->required()
      ->check(CLI::ExistingFile);
  command->add_option("--out", options->out, "output .safetensors with one float32 tensor 'embeddings' [N, dim]")
      ->required();
  command->add_option("--kind", options->kind, "query or passage")
      ->check(CLI::IsMember({"query", "passage"}))
      ->capture_default_str();
  command->add_option("--batch-size", options->batch_size, "texts per forward pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->add_option("--max-length", options->max_length, "tokens per text (default: max_position_embeddings)");
  add_runtime_options(*command, options->runtime);
  command->callback([options] {
    require_output_apart_from_input(options->out, options->input);
    const Runtime runtime = apply_runtime(options->runtime);
    auto retriever = Retriever::load(options->retriever, runtime.device);
    if (options->max_length > 0) retriever.set_max_length(options->max_length);
    retriever.query_encoder()->to(runtime.compute_dtype);
    retriever.passage_encoder()->to(runtime.compute_dtype);

    const bool passages = options->kind == "passage";
    ProgressBar progress("embed", count_nonblank_lines(options->input), passages ? "passages" : "queries");
    std::vector<torch::Tensor> chunks;
    std::vector<std::string> batch;
    const auto flush = [&] {
      if (batch.empty()) return;
      chunks.push_back(
          (passages ? retriever.embed_passages(batch, batch.size()) : retriever.embed_queries(batch, batch.size()))
              .cpu());
      progress.advance(batch.size());
      batch.clear();
    };
    JsonlReader reader(options->input);
    nlohmann::json line;
    while (reader.next(line)) {
      CORAG_CHECK(line.is_object(), reader.location(), ": expected a JSON object");
      batch.push_back(passages ? retriever_passage_text(optional_string_field(line, "title", reader.location()),
                                                        required_string_field(line, "text", reader.location()))
                               : required_string_field(line, "question", reader.location()));
      if (batch.size() == options->batch_size) flush();
    }
    flush();
    progress.finish();
    const auto embeddings = chunks.empty() ? torch::zeros({0, retriever.dim()}) : torch::cat(chunks);
    write_safetensors(options->out, {{"embeddings", embeddings}});
  });
}

}  // namespace corag::cli
