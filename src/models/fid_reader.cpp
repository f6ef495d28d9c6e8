#include "corag/models/fid_reader.hpp"

#include "corag/models/greedy_decoder.hpp"
#include "corag/models/token_batch.hpp"
#include "corag/util/error.hpp"

namespace corag {

torch::Tensor FidEncoding::joined_states() const {
  return states.reshape({batch, passages * states.size(1), states.size(2)});
}

torch::Tensor FidEncoding::joined_mask() const { return mask.reshape({batch, passages * mask.size(1)}); }

torch::Tensor mean_token_nll(const torch::Tensor& logits, const torch::Tensor& labels) {
  const auto valid = labels != -100;
  const auto log_probs = torch::log_softmax(logits.to(torch::kFloat32), -1);
  const auto picked = log_probs.gather(-1, labels.clamp_min(0).unsqueeze(-1)).squeeze(-1);
  const auto weights = valid.to(torch::kFloat32);
  return -(picked * weights).sum(1) / weights.sum(1).clamp_min(1.0);
}

torch::Tensor target_token_nll_sum(const torch::Tensor& row_mean_nll,
                                   const std::vector<std::vector<std::int64_t>>& targets) {
  CORAG_CHECK(row_mean_nll.dim() == 1 && static_cast<std::size_t>(row_mean_nll.size(0)) == targets.size(),
              "target_token_nll_sum: ", row_mean_nll.sizes(), " row NLLs for ", targets.size(), " targets");
  std::vector<float> lengths;
  for (const auto& target : targets) lengths.push_back(static_cast<float>(target.size()));
  const auto nll = row_mean_nll.to(torch::kFloat32);
  return (nll * torch::tensor(lengths, nll.options())).sum();
}

FidReader FidReader::load(const std::filesystem::path& model_dir, const torch::Device& device, FidOptions options) {
  // Tokenizer and config are checked against each other before the (large) weights are read.
  auto tokenizer = T5Tokenizer::from_directory(model_dir);
  const auto config = T5Config::from_file(HfConfigFile::load(model_dir));
  CORAG_CHECK(tokenizer.vocab_size() <= config.vocab_size, model_dir.string(), ": spiece.model has ",
              tokenizer.vocab_size(), " tokens with sentinels, more than config.json's vocab_size ", config.vocab_size);
  return FidReader(load_t5_model(model_dir, device), std::move(tokenizer), options);
}

FidReader::FidReader(T5Model model, T5Tokenizer tokenizer, FidOptions options)
    : model_(std::move(model)), tokenizer_(std::move(tokenizer)), options_(options) {
  CORAG_CHECK(tokenizer_.vocab_size() <= model_->config().vocab_size, tokenizer_.model_file().string(), ": ",
              tokenizer_.vocab_size(), " tokens with sentinels, but the model's vocab_size is ",
              model_->config().vocab_size);
  CORAG_CHECK(options_.text_maxlength >= 2 && options_.answer_maxlength >= 2,
              "text_maxlength and answer_maxlength must be at least 2");
}

std::string FidReader::query_text(const std::string& question) {
  return "question: " + question + " answer: <extra_id_0>";
}

std::string FidReader::passage_text(const std::string& query, const ReaderPassage& passage) {
  return query + " title: " + passage.title + " context: " + passage.text;
}

std::vector<std::vector<std::int64_t>> FidReader::encoder_ids(const ReaderExample& example) const {
  const auto query = query_text(example.question);
  std::vector<std::vector<std::int64_t>> ids;
  if (example.passages.empty()) ids.push_back(tokenizer_.encode(query, options_.text_maxlength));
  for (const auto& passage : example.passages)
    ids.push_back(tokenizer_.encode(passage_text(query, passage), options_.text_maxlength));
  return ids;
}

std::vector<std::int64_t> FidReader::target_ids(const std::string& answer) const {
  return tokenizer_.encode("<extra_id_0> " + answer, options_.answer_maxlength);
}

torch::Device FidReader::device() const { return model_->parameters().front().device(); }

FidEncoding FidReader::encode(const std::vector<ReaderExample>& examples) {
  std::vector<std::vector<std::vector<std::int64_t>>> per_example;
  for (const auto& example : examples) per_example.push_back(encoder_ids(example));
  return encode_ids(std::move(per_example));
}

FidEncoding FidReader::encode_ids(std::vector<std::vector<std::vector<std::int64_t>>> per_example) {
  CORAG_CHECK(!per_example.empty(), "the reader got an empty batch");
  FidEncoding encoding;
  encoding.batch = static_cast<std::int64_t>(per_example.size());
  for (const auto& ids : per_example) {
    CORAG_CHECK(!ids.empty(), "the reader got an example without encoder input");
    encoding.passage_counts.push_back(static_cast<std::int64_t>(ids.size()));
    encoding.passages = std::max(encoding.passages, encoding.passage_counts.back());
  }
  std::vector<std::vector<std::int64_t>> rows;
  for (auto& ids : per_example) {
    ids.resize(static_cast<std::size_t>(encoding.passages));
    for (auto& row : ids) rows.push_back(std::move(row));
  }
  const auto batch = pad_token_batch(rows, tokenizer_.kPadId, device());
  encoding.states = model_->encode(batch.ids, batch.mask);
  encoding.mask = batch.mask;
  return encoding;
}

torch::Tensor FidReader::labels(const std::vector<std::vector<std::int64_t>>& targets) const {
  const auto batch = pad_token_batch(targets, -100, device());
  return batch.ids;
}

torch::Tensor FidReader::fid_nll(const FidEncoding& encoding, const std::vector<std::vector<std::int64_t>>& targets) {
  CORAG_CHECK(static_cast<std::int64_t>(targets.size()) == encoding.batch, "got ", targets.size(),
              " targets for a batch of ", encoding.batch);
  const auto label_ids = labels(targets);
  const auto& config = model_->config();
  const auto logits = model_->decode(shift_right(label_ids, config.decoder_start_token_id, config.pad_token_id),
                                     encoding.joined_states(), encoding.joined_mask());
  return mean_token_nll(logits, label_ids);
}

torch::Tensor FidReader::passage_nll(const FidEncoding& encoding,
                                     const std::vector<std::vector<std::int64_t>>& targets) {
  CORAG_CHECK(static_cast<std::int64_t>(targets.size()) == encoding.batch, "got ", targets.size(),
              " targets for a batch of ", encoding.batch);
  const auto label_ids = labels(targets).repeat_interleave(encoding.passages, 0);
  const auto& config = model_->config();
  const auto logits = model_->decode(shift_right(label_ids, config.decoder_start_token_id, config.pad_token_id),
                                     encoding.states, encoding.mask);
  return mean_token_nll(logits, label_ids).view({encoding.batch, encoding.passages});
}

std::vector<std::vector<std::int64_t>> FidReader::generate(const FidEncoding& encoding, std::size_t max_new_tokens,
                                                           bool use_cache) {
  return greedy_decode(*model_, encoding.joined_states(), encoding.joined_mask(), max_new_tokens, use_cache);
}

void FidReader::save(const std::filesystem::path& model_dir) {
  save_t5_model(model_, model_dir);
  tokenizer_.save(model_dir);
}

}  // namespace corag
