#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "corag/models/bert_model.hpp"
#include "corag/text/wordpiece_tokenizer.hpp"

namespace corag {

/// Contriever pooling: the mean of `hidden` [batch, seq, dim] over the positions where `mask`
/// [batch, seq] is 1 → [batch, dim].
torch::Tensor mean_pool(const torch::Tensor& hidden, const torch::Tensor& mask);

/// The text the retriever embeds for a passage: "{title} {text}".
std::string retriever_passage_text(const std::string& title, const std::string& text);

/// A Contriever dual encoder: a query encoder and a passage encoder, which are one shared
/// BertModel until `separate_encoders()` (query-side fine-tuning keeps the passage side frozen).
/// Scores are inner products of mean-pooled embeddings.
class Retriever {
 public:
  /// Loads an HF BERT/Contriever directory. A fine-tuned retriever saved with separate encoders
  /// keeps its passage encoder in the `passage_encoder/` subdirectory.
  static Retriever load(const std::filesystem::path& model_dir, const torch::Device& device);
  Retriever(BertModel query_encoder, BertModel passage_encoder, WordPieceTokenizer tokenizer);

  /// Embeddings [n, dim] of queries or passage texts, in `batch_size` chunks, without gradient.
  torch::Tensor embed_queries(const std::vector<std::string>& texts, std::size_t batch_size);
  torch::Tensor embed_passages(const std::vector<std::string>& texts, std::size_t batch_size);
  /// Query embeddings [n, dim] with gradient through the query encoder (training).
  torch::Tensor query_embeddings(const std::vector<std::string>& texts);

  /// Gives the query encoder its own copy of the weights; the passage encoder is frozen.
  void separate_encoders();
  bool encoders_shared() const { return query_encoder_.ptr() == passage_encoder_.ptr(); }

  /// Saves in the HF layout (`passage_encoder/` too when the encoders are separate).
  void save(const std::filesystem::path& model_dir) const;

  BertModel& query_encoder() { return query_encoder_; }
  BertModel& passage_encoder() { return passage_encoder_; }
  const WordPieceTokenizer& tokenizer() const { return tokenizer_; }
  std::int64_t dim() const { return query_encoder_->config().hidden_size; }
  /// Tokens per text (with [CLS]/[SEP]); defaults to max_position_embeddings.
  void set_max_length(std::size_t max_length);
  std::size_t max_length() const { return max_length_; }

 private:
  torch::Tensor encode(BertModel& encoder, const std::vector<std::string>& texts);
  torch::Tensor embed(BertModel& encoder, const std::vector<std::string>& texts, std::size_t batch_size);

  BertModel query_encoder_;
  BertModel passage_encoder_;
  WordPieceTokenizer tokenizer_;
  std::size_t max_length_;
};

/// Loads an HF BERT directory's config and weights (no tokenizer) onto `device`.
BertModel load_bert_model(const std::filesystem::path& model_dir, const torch::Device& device);
/// Saves a BertModel's config.json and weights in the HF layout.
void save_bert_model(const BertModel& model, const std::filesystem::path& model_dir);

}  // namespace corag
