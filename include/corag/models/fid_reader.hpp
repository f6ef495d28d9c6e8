#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "corag/models/t5_model.hpp"
#include "corag/text/t5_tokenizer.hpp"

namespace corag {

struct ReaderPassage {
  std::string title;
  std::string text;
};

/// A question with the passages the reader sees; no passages is the closed-book setting.
struct ReaderExample {
  std::string question;
  std::vector<ReaderPassage> passages;
};

struct FidOptions {
  std::size_t text_maxlength = 384;   ///< encoder tokens per question + passage (</s> included)
  std::size_t answer_maxlength = 32;  ///< target tokens (</s> included)
};

/// Encoder output of a batch: every (question, passage) pair encoded on its own.
/// Questions with fewer passages than the widest one get empty, fully masked rows, which the
/// joined view hides from the decoder exactly.
struct FidEncoding {
  torch::Tensor states;  ///< [batch * passages, seq, d_model]
  torch::Tensor mask;    ///< [batch * passages, seq]
  std::int64_t batch = 0;
  std::int64_t passages = 0;
  std::vector<std::int64_t> passage_counts;  ///< real passages per question

  /// The Fusion-in-Decoder memory: [batch, passages * seq, d_model] and its mask.
  torch::Tensor joined_states() const;
  torch::Tensor joined_mask() const;
};

/// Mean token NLL per row of `logits` [rows, t, vocab] against `labels` [rows, t] (-100 = ignore).
torch::Tensor mean_token_nll(const torch::Tensor& logits, const torch::Tensor& labels);

/// The NLL summed over every target token of a batch (float32 scalar), from per-row means
/// [batch] (`fid_nll`) and the targets they were computed on; divided by the batch's token
/// count it is the token-mean loss HF's T5 computes, however the batch is cut into chunks.
torch::Tensor target_token_nll_sum(const torch::Tensor& row_mean_nll,
                                   const std::vector<std::vector<std::int64_t>>& targets);

/// T5 Fusion-in-Decoder reader in Atlas's QA format: the query is
/// `question: {q} answer: <extra_id_0>`, each passage is read as
/// `{query} title: {title} context: {text}` (truncated to text_maxlength tokens), and the target
/// is `<extra_id_0> {answer}</s>`.
class FidReader {
 public:
  /// Loads an HF T5 directory (config.json, weights, spiece.model).
  static FidReader load(const std::filesystem::path& model_dir, const torch::Device& device, FidOptions options = {});
  FidReader(T5Model model, T5Tokenizer tokenizer, FidOptions options);

  static std::string query_text(const std::string& question);
  static std::string passage_text(const std::string& query, const ReaderPassage& passage);

  /// Encoder ids of each passage of `example`, unpadded (the query alone when closed-book).
  std::vector<std::vector<std::int64_t>> encoder_ids(const ReaderExample& example) const;
  /// Target ids of `<extra_id_0> {answer}</s>`.
  std::vector<std::int64_t> target_ids(const std::string& answer) const;

  FidEncoding encode(const std::vector<ReaderExample>& examples);
  /// The same from token ids: per example, one row per passage ([examples][passages][tokens]);
  /// for inputs that are not questions (span-corruption pretraining).
  FidEncoding encode_ids(std::vector<std::vector<std::vector<std::int64_t>>> per_example);
  /// Mean token NLL [batch] of each target under FiD over all of its question's passages.
  torch::Tensor fid_nll(const FidEncoding& encoding, const std::vector<std::vector<std::int64_t>>& targets);
  /// Mean token NLL [batch, passages] of each target given each passage alone (padding rows hold
  /// values of empty passages; use passage_counts).
  torch::Tensor passage_nll(const FidEncoding& encoding, const std::vector<std::vector<std::int64_t>>& targets);
  /// Greedy decoding of each question: the generated ids (without the start token), ending
  /// with `</s>` unless `max_new_tokens` ran out first. Without the cache every step recomputes
  /// the decoder over the whole prefix (same tokens, slower; kept for tests and benchmarks).
  std::vector<std::vector<std::int64_t>> generate(const FidEncoding& encoding, std::size_t max_new_tokens,
                                                  bool use_cache = true);

  /// Saves the model and tokenizer in the HF layout.
  void save(const std::filesystem::path& model_dir);

  T5Model& model() { return model_; }
  const T5Tokenizer& tokenizer() const { return tokenizer_; }
  const FidOptions& options() const { return options_; }

 private:
  torch::Tensor labels(const std::vector<std::vector<std::int64_t>>& targets) const;
  torch::Device device() const;

  T5Model model_;
  T5Tokenizer tokenizer_;
  FidOptions options_;
};

}  // namespace corag
