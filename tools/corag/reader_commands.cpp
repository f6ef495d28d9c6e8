#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/torch.h>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "corag/models/reader_record.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/input_file.hpp"
#include "corag/util/line_reader.hpp"
#include "corag/util/progress_bar.hpp"
#include "runtime_options.hpp"

namespace corag::cli {
namespace {

/// What `reader score` and `generate` share: a reader, its input, and an output file.
struct ReaderRunOptions {
  std::string reader, input, out;
  std::size_t batch_size = 4;
  std::size_t text_maxlength = 384;
  std::size_t answer_maxlength = 32;
  RuntimeConfig runtime;
};

void add_reader_run_options(CLI::App& command, ReaderRunOptions& options) {
  command.add_option("--reader", options.reader, "HF T5 / Flan-T5 directory")
      ->required()
      ->check(CLI::ExistingDirectory);
  command
      .add_option("--input", options.input,
                  "JSONL: {\"question\", \"answers\", \"passages\": [{\"title\", \"text\"}]} per line")
      ->required()
      ->check(CLI::ExistingFile);
  command.add_option("--out", options.out, "output JSONL, one line per input line")->required();
  command.add_option("--batch-size", options.batch_size, "questions per forward pass")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command.add_option("--text-maxlength", options.text_maxlength, "encoder tokens per question + passage")
      ->check(CLI::Range(2, 1 << 20))
      ->capture_default_str();
  command.add_option("--answer-maxlength", options.answer_maxlength, "target tokens")
      ->check(CLI::Range(2, 1 << 20))
      ->capture_default_str();
  add_runtime_options(command, options.runtime);
}

/// Loads the reader, then feeds `process` batches of input records, writing the JSON it returns
/// (one object per record) to the output atomically.
void run_reader(
    const ReaderRunOptions& options, AnswersPolicy policy, const char* label,
    const std::function<std::vector<nlohmann::json>(FidReader&, const std::vector<ReaderRecord>&)>& process) {
  require_output_apart_from_input(options.out, options.input);
  const Runtime runtime = apply_runtime(options.runtime);
  auto reader = FidReader::load(options.reader, runtime.device, {options.text_maxlength, options.answer_maxlength});
  reader.model()->to(runtime.compute_dtype);
  reader.model()->eval();
  torch::NoGradGuard no_grad;
  ProgressBar progress(label, count_nonblank_lines(options.input), "questions");
  ReaderRecordReader input(options.input, policy);
  AtomicFileWriter output(options.out);
  for (auto batch = input.next_batch(options.batch_size); !batch.empty();
       batch = input.next_batch(options.batch_size)) {
    for (auto& line : process(reader, batch)) output.stream() << line.dump() << '\n';
    progress.advance(batch.size());
  }
  output.commit();
  progress.finish();
}

std::vector<double> to_vector(const torch::Tensor& tensor) {
  const auto cpu = tensor.to(torch::kCPU, torch::kFloat64).contiguous();
  return std::vector<double>(cpu.data_ptr<double>(), cpu.data_ptr<double>() + cpu.numel());
}

}  // namespace

void add_reader_command(CLI::App& app) {
  auto options = std::make_shared<ReaderRunOptions>();
  auto emit_tokens = std::make_shared<bool>(false);
  auto* reader = app.add_subcommand("reader", "T5 Fusion-in-Decoder reader tools");
  reader->require_subcommand(1);
  auto* score = reader->add_subcommand(
      "score", "NLL of <extra_id_0> {answers[0]}</s> under FiD over all passages and given each passage alone");
  add_reader_run_options(*score, *options);
  score->add_flag("--emit-tokens", *emit_tokens, "also write the encoder input_ids (per passage) and target_ids");
  score->callback([options, emit_tokens] {
    run_reader(*options, AnswersPolicy::required, "reader score",
               [&](FidReader& fid, const std::vector<ReaderRecord>& batch) {
                 std::vector<ReaderExample> examples;
                 std::vector<std::vector<std::int64_t>> targets;
                 for (const auto& record : batch) {
                   examples.push_back(record.example);
                   targets.push_back(fid.target_ids(record.qa.answers.front()));
                 }
                 const auto encoding = fid.encode(examples);
                 const auto fid_nll = to_vector(fid.fid_nll(encoding, targets));
                 const auto passage_nll = fid.passage_nll(encoding, targets);
                 std::vector<nlohmann::json> lines;
                 for (std::size_t i = 0; i < batch.size(); ++i) {
                   nlohmann::json line;
                   if (!batch[i].qa.id.empty()) line["id"] = batch[i].qa.id;
                   line["nll"] = fid_nll[i];
                   auto per_passage = to_vector(passage_nll[static_cast<std::int64_t>(i)]);
                   per_passage.resize(batch[i].example.passages.size());
                   line["passage_nll"] = per_passage;
                   if (*emit_tokens) {
                     line["input_ids"] = fid.encoder_ids(batch[i].example);
                     line["target_ids"] = targets[i];
                   }
                   lines.push_back(std::move(line));
                 }
                 return lines;
               });
  });
}

void add_generate_command(CLI::App& app) {
  auto options = std::make_shared<ReaderRunOptions>();
  auto max_new_tokens = std::make_shared<std::size_t>(32);
  auto* command = app.add_subcommand("generate", "greedy answers of a T5 Fusion-in-Decoder reader (KV cache)");
  add_reader_run_options(*command, *options);
  command->add_option("--max-new-tokens", *max_new_tokens, "tokens generated at most per answer")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  command->callback([options, max_new_tokens] {
    std::size_t beyond_vocabulary = 0;
    std::int64_t vocab_size = 0;
    run_reader(*options, AnswersPolicy::optional, "generate",
               [&](FidReader& fid, const std::vector<ReaderRecord>& batch) {
                 vocab_size = fid.tokenizer().vocab_size();
                 std::vector<ReaderExample> examples;
                 for (const auto& record : batch) examples.push_back(record.example);
                 const auto generated = fid.generate(fid.encode(examples), *max_new_tokens);
                 std::vector<nlohmann::json> lines;
                 for (std::size_t i = 0; i < batch.size(); ++i) {
                   nlohmann::json line;
                   if (!batch[i].qa.id.empty()) line["id"] = batch[i].qa.id;
                   line["prediction"] = fid.tokenizer().decode_answer(generated[i]);
                   line["token_ids"] = generated[i];
                   beyond_vocabulary += fid.tokenizer().beyond_vocabulary(generated[i]);
                   lines.push_back(std::move(line));
                 }
                 return lines;
               });
    warn_beyond_vocabulary(beyond_vocabulary, vocab_size);
  });
}

}  // namespace corag::cli
