#include "corag/models/retriever.hpp"

#include "corag/models/token_batch.hpp"
#include "corag/util/error.hpp"

namespace corag {

namespace {
constexpr const char* kPassageEncoderDir = "passage_encoder";
}

torch::Tensor mean_pool(const torch::Tensor& hidden, const torch::Tensor& mask) {
  const auto weights = mask.to(hidden.dtype()).unsqueeze(-1);
  return (hidden * weights).sum(1) / weights.sum(1).clamp_min(1.0);
}

std::string retriever_passage_text(const std::string& title, const std::string& text) { return title + " " + text; }

BertModel load_bert_model(const std::filesystem::path& model_dir, const torch::Device& device) {
  const auto config = BertConfig::from_file(HfConfigFile::load(model_dir));
  require_weights_cover(model_dir, config.parameter_count());
  BertModel model(config);
  load_hf_weights(*model, model_dir, BertModelImpl::weight_name_rules());
  model->to(device);
  return model;
}

void save_bert_model(const BertModel& model, const std::filesystem::path& model_dir) {
  save_hf_weights(*model, model_dir);
  write_hf_config(model_dir, model->config().to_json());
}

Retriever Retriever::load(const std::filesystem::path& model_dir, const torch::Device& device) {
  auto tokenizer = WordPieceTokenizer::from_directory(model_dir);  // cheap, so its errors come first
  auto query_encoder = load_bert_model(model_dir, device);
  const auto passage_dir = model_dir / kPassageEncoderDir;
  auto passage_encoder = std::filesystem::exists(passage_dir) ? load_bert_model(passage_dir, device) : query_encoder;
  return Retriever(query_encoder, passage_encoder, std::move(tokenizer));
}

Retriever::Retriever(BertModel query_encoder, BertModel passage_encoder, WordPieceTokenizer tokenizer)
    : query_encoder_(std::move(query_encoder)),
      passage_encoder_(std::move(passage_encoder)),
      tokenizer_(std::move(tokenizer)),
      max_length_(static_cast<std::size_t>(query_encoder_->config().max_position_embeddings)) {
  CORAG_CHECK(static_cast<std::int64_t>(tokenizer_.vocab_size()) <= query_encoder_->config().vocab_size,
              "the WordPiece vocabulary has ", tokenizer_.vocab_size(), " tokens but the model's vocab_size is ",
              query_encoder_->config().vocab_size);
  CORAG_CHECK(query_encoder_->config().hidden_size == passage_encoder_->config().hidden_size,
              "query and passage encoders differ in hidden_size");
}

void Retriever::set_max_length(std::size_t max_length) {
  const auto limit = static_cast<std::size_t>(query_encoder_->config().max_position_embeddings);
  CORAG_CHECK(max_length >= 2 && max_length <= limit, "retriever max length ", max_length,
              " must be between 2 and max_position_embeddings ", limit);
  max_length_ = max_length;
}

torch::Tensor Retriever::encode(BertModel& encoder, const std::vector<std::string>& texts) {
  std::vector<std::vector<std::int64_t>> ids;
  ids.reserve(texts.size());
  for (const auto& text : texts) ids.push_back(tokenizer_.encode(text, max_length_));
  const auto device = encoder->parameters().front().device();
  const auto batch = pad_token_batch(ids, tokenizer_.pad_id(), device);
  return mean_pool(encoder->forward(batch.ids, batch.mask), batch.mask);
}

torch::Tensor Retriever::embed(BertModel& encoder, const std::vector<std::string>& texts, std::size_t batch_size) {
  CORAG_CHECK(batch_size > 0, "embedding batch size must be positive");
  torch::NoGradGuard no_grad;
  const bool was_training = encoder->is_training();
  encoder->eval();
  std::vector<torch::Tensor> chunks;
  for (std::size_t start = 0; start < texts.size(); start += batch_size) {
    const auto end = std::min(texts.size(), start + batch_size);
    chunks.push_back(encode(encoder, std::vector<std::string>(texts.begin() + static_cast<std::ptrdiff_t>(start),
                                                              texts.begin() + static_cast<std::ptrdiff_t>(end)))
                         .to(torch::kFloat32));
  }
  encoder->train(was_training);
  if (chunks.empty()) return torch::zeros({0, dim()});
  return torch::cat(chunks);
}

torch::Tensor Retriever::embed_queries(const std::vector<std::string>& texts, std::size_t batch_size) {
  return embed(query_encoder_, texts, batch_size);
}

torch::Tensor Retriever::embed_passages(const std::vector<std::string>& texts, std::size_t batch_size) {
  return embed(passage_encoder_, texts, batch_size);
}

torch::Tensor Retriever::query_embeddings(const std::vector<std::string>& texts) {
  return encode(query_encoder_, texts);
}

void Retriever::separate_encoders() {
  if (!encoders_shared()) return;
  query_encoder_ = BertModel(std::dynamic_pointer_cast<BertModelImpl>(passage_encoder_->clone()));
  for (auto& parameter : passage_encoder_->parameters()) parameter.set_requires_grad(false);
}

void Retriever::save(const std::filesystem::path& model_dir) const {
  save_bert_model(query_encoder_, model_dir);
  tokenizer_.save(model_dir);
  const auto passage_dir = model_dir / kPassageEncoderDir;
  if (encoders_shared()) {
    std::filesystem::remove_all(passage_dir);
  } else {
    save_bert_model(passage_encoder_, passage_dir);
    tokenizer_.save(passage_dir);  // a model directory HF's from_pretrained opens on its own
  }
}

}  // namespace corag
