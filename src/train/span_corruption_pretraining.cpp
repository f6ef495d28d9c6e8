#include "corag/train/span_corruption_pretraining.hpp"

#include "corag/text/span_corruption.hpp"
#include "corag/text/whitespace_words.hpp"
#include "corag/train/autocast_scope.hpp"
#include "corag/train/epoch_sampler.hpp"
#include "corag/train/pretraining_loop.hpp"
#include "corag/util/error.hpp"

namespace corag {

double pretrain_reader_span_corruption(FidReader& reader, const std::vector<ReaderPassage>& passages,
                                       const std::vector<std::vector<std::size_t>>& context,
                                       const PretrainReaderConfig& config, const Runtime& runtime) {
  CORAG_CHECK(context.empty() || context.size() == passages.size(), "span corruption: context lists for ",
              context.size(), " of ", passages.size(), " passages");
  auto model = reader.model();
  model->train();
  const auto& tokenizer = reader.tokenizer();
  const auto text_maxlength = static_cast<std::size_t>(config.text_maxlength);
  PretrainingLoop loop("pretrain reader", model->parameters(), config.lr, config.steps);
  EpochSampler sampler(passages.size(), static_cast<std::size_t>(config.batch_size),
                       derive_seed(runtime.seed, "pretrain/reader/data"));
  for (std::int64_t step = 0; step < config.steps; ++step) {
    Rng rng(derive_seed(runtime.seed, "pretrain/reader/step" + std::to_string(step)));
    torch::manual_seed(rng.next_u64());
    std::vector<std::vector<std::vector<std::int64_t>>> inputs;
    std::vector<std::vector<std::int64_t>> targets;
    for (const auto index : sampler.batch(step)) {
      // The query is a window of the passage, short enough to leave room in each row for the
      // context passage it is read with (the query of a QA example is a short question too).
      const auto words = split_words(passages[index].text);
      const auto window = random_word_span(words.size(), static_cast<std::size_t>(config.query_words), rng);
      const auto window_text = join_words(words, window);
      const auto corrupted = config.masking == SpanMasking::salient
                                 ? corrupt_salient_spans(window_text, config.noise_density, rng)
                                 : corrupt_spans(window_text, config.noise_density, config.mean_span, rng);
      const auto query = FidReader::query_text(passages[index].title + ": " + corrupted.input);
      std::vector<std::vector<std::int64_t>> rows;
      if (context.empty() || context[index].empty()) rows.push_back(tokenizer.encode(query, text_maxlength));
      if (!context.empty()) {
        // With include_source the source is the first context passage.
        const auto read =
            step < config.source_only_steps ? std::min<std::size_t>(1, context[index].size()) : context[index].size();
        for (std::size_t c = 0; c < read; ++c) {
          const auto other = context[index][c];
          if (other == index && config.source_words > 0) {
            const auto source = join_words(
                words, random_covering_span(words.size(), window, static_cast<std::size_t>(config.source_words), rng));
            rows.push_back(
                tokenizer.encode(FidReader::passage_text(query, {passages[index].title, source}), text_maxlength));
          } else {
            rows.push_back(tokenizer.encode(FidReader::passage_text(query, passages[other]), text_maxlength));
          }
        }
      }
      inputs.push_back(std::move(rows));
      targets.push_back(tokenizer.encode(corrupted.target, static_cast<std::size_t>(config.target_maxlength)));
    }
    torch::Tensor loss;
    {
      AutocastScope autocast(runtime.device, runtime.compute_dtype);
      std::size_t tokens = 0;
      for (const auto& target : targets) tokens += target.size();
      loss = target_token_nll_sum(reader.fid_nll(reader.encode_ids(std::move(inputs)), targets), targets) /
             static_cast<double>(tokens);
    }
    loop.update(loss, step);
  }
  const double loss = loop.finish();
  model->eval();
  return loss;
}

}  // namespace corag
