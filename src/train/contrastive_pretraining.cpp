#include "corag/train/contrastive_pretraining.hpp"

#include <algorithm>
#include <cmath>

#include "corag/models/fid_reader.hpp"
#include "corag/text/whitespace_words.hpp"
#include "corag/train/epoch_sampler.hpp"
#include "corag/train/pretraining_loop.hpp"
#include "corag/util/error.hpp"

namespace corag {

std::pair<std::string, std::string> random_crops(const std::string& text, double crop_min, double crop_max, Rng& rng) {
  const auto words = split_words(text);
  CORAG_CHECK(!words.empty(), "cannot crop an empty passage");
  const auto crop = [&] {
    const double fraction = crop_min + (crop_max - crop_min) * rng.uniform_real();
    const auto length = std::clamp<std::size_t>(
        static_cast<std::size_t>(std::lround(fraction * static_cast<double>(words.size()))), 1, words.size());
    return random_word_window(words, length, rng);
  };
  auto first = crop();
  return {std::move(first), crop()};
}

std::string pretraining_query_text(const PretrainRetrieverConfig& config, const std::string& text) {
  return config.query_format == PretrainQueryFormat::reader ? FidReader::query_text(text) : text;
}

double pretrain_retriever_contrastive(Retriever& retriever, const std::vector<std::string>& texts,
                                      const PretrainRetrieverConfig& config, const Runtime& runtime) {
  CORAG_CHECK(retriever.encoders_shared(), "contrastive pretraining trains one shared encoder");
  CORAG_CHECK(config.crop_min <= config.crop_max, "retriever.crop_min must not exceed retriever.crop_max");
  auto& encoder = retriever.query_encoder();
  encoder->train();
  PretrainingLoop loop("pretrain retriever", encoder->parameters(), config.lr, config.steps);
  EpochSampler sampler(texts.size(), static_cast<std::size_t>(config.batch_size),
                       derive_seed(runtime.seed, "pretrain/retriever/data"));
  for (std::int64_t step = 0; step < config.steps; ++step) {
    Rng rng(derive_seed(runtime.seed, "pretrain/retriever/step" + std::to_string(step)));
    torch::manual_seed(rng.next_u64());
    std::vector<std::string> first, second;
    for (const auto index : sampler.batch(step)) {
      auto crops = random_crops(texts[index], config.crop_min, config.crop_max, rng);
      first.push_back(pretraining_query_text(config, crops.first));
      second.push_back(std::move(crops.second));
    }
    const auto a = retriever.query_embeddings(first);
    const auto b = retriever.query_embeddings(second);
    const auto logits = torch::matmul(a, b.t()) / config.temperature;
    const auto labels =
        torch::arange(logits.size(0), torch::TensorOptions().dtype(torch::kLong).device(logits.device()));
    loop.update((torch::nn::functional::cross_entropy(logits, labels) +
                 torch::nn::functional::cross_entropy(logits.t(), labels)) /
                    2,
                step);
  }
  const double loss = loop.finish();
  encoder->eval();
  return loss;
}

}  // namespace corag
