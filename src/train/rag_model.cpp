#include "corag/train/rag_model.hpp"

#include "corag/util/error.hpp"

namespace corag {
namespace {

void set_dropout(torch::nn::Module& model, double rate) {
  for (const auto& module : model.modules()) {
    if (auto* dropout = module->as<torch::nn::Dropout>()) dropout->options.p(rate);
  }
}

}  // namespace

RagModel::RagModel(FidReader reader, std::optional<Retriever> retriever)
    : reader_(std::move(reader)), retriever_(std::move(retriever)) {}

RagModel RagModel::load(const std::filesystem::path& reader_dir, const std::filesystem::path& retriever_dir,
                        const ModelConfig& config, const torch::Device& device) {
  auto reader = FidReader::load(
      reader_dir, device,
      {static_cast<std::size_t>(config.text_maxlength), static_cast<std::size_t>(config.answer_maxlength)});
  set_dropout(*reader.model(), config.dropout);
  std::optional<Retriever> retriever;
  if (!retriever_dir.empty()) {
    retriever = Retriever::load(retriever_dir, device);
    retriever->separate_encoders();
    // Atlas sets --dropout on the whole model; the frozen passage encoder always runs in eval mode.
    set_dropout(*retriever->query_encoder(), config.dropout);
  }
  return RagModel(std::move(reader), std::move(retriever));
}

Retriever& RagModel::retriever() {
  CORAG_CHECK(retriever_.has_value(), "this model is closed-book: it has no retriever");
  return *retriever_;
}

std::vector<torch::Tensor> RagModel::trainable_parameters() {
  auto parameters = reader_.model()->parameters();
  if (retriever_) {
    const auto query_encoder = retriever_->query_encoder()->parameters();
    parameters.insert(parameters.end(), query_encoder.begin(), query_encoder.end());
  }
  return parameters;
}

void RagModel::train(bool on) {
  reader_.model()->train(on);
  if (retriever_) {
    retriever_->query_encoder()->train(on);
    retriever_->passage_encoder()->eval();
  }
}

void RagModel::save(const std::filesystem::path& dir) {
  reader_.save(dir / "reader");
  if (retriever_) retriever_->save(dir / "retriever");
}

}  // namespace corag
