#include "corag/train/rag_evaluator.hpp"

#include <algorithm>

#include "corag/text/answer_normalization.hpp"
#include "corag/train/autocast_scope.hpp"
#include "corag/train/passage_retrieval.hpp"
#include "corag/util/error.hpp"
#include "corag/util/progress_bar.hpp"

namespace corag {

Evaluation evaluate_questions(RagModel& model, const std::vector<QaRecord>& questions, const DenseStore* store,
                              const ExperimentConfig& config, const Runtime& runtime, const std::string& label) {
  CORAG_CHECK(!model.has_retriever() || store != nullptr, label, ": a retrieval model needs a store to evaluate");
  torch::NoGradGuard no_grad;
  model.train(false);
  FidReader& reader = model.reader();
  const auto batch_size = static_cast<std::size_t>(config.eval.batch_size);
  Evaluation evaluation;
  std::size_t beyond_vocabulary = 0;
  ProgressBar progress(label, questions.size(), "questions");
  for (std::size_t begin = 0; begin < questions.size(); begin += batch_size) {
    const auto end = std::min(questions.size(), begin + batch_size);
    std::vector<ReaderExample> examples;
    std::vector<std::string> texts;
    for (std::size_t i = begin; i < end; ++i) {
      examples.push_back({questions[i].question, {}});
      texts.push_back(retriever_query_text(config.model, questions[i].question));
    }
    AutocastScope autocast(runtime.device, runtime.compute_dtype);
    RetrievedPassages retrieved;
    if (model.has_retriever()) {
      const auto queries = model.retriever().embed_queries(texts, texts.size());
      retrieved = retrieve_passages(queries, std::vector<const DenseStore*>(texts.size(), store),
                                    static_cast<std::size_t>(config.model.n_context), runtime.device,
                                    runtime.compute_dtype, /*with_embeddings=*/false);
      for (std::size_t i = 0; i < examples.size(); ++i) {
        examples[i].passages = std::move(retrieved.passages[i]);
        const auto& answers = questions[begin + i].answers;
        const auto holds_answer = [&](const ReaderPassage& passage) {
          return contains_any_answer(passage.text, answers);
        };
        if (std::any_of(examples[i].passages.begin(), examples[i].passages.end(), holds_answer))
          ++evaluation.answer_found;
      }
    }
    const auto generated =
        reader.generate(reader.encode(examples), static_cast<std::size_t>(config.eval.max_new_tokens));
    for (std::size_t i = begin; i < end; ++i) {
      const auto& qa = questions[i];
      const auto prediction = reader.tokenizer().decode_answer(generated[i - begin]);
      beyond_vocabulary += reader.tokenizer().beyond_vocabulary(generated[i - begin]);
      const auto score = score_answer(prediction, qa.answers);
      evaluation.totals.add(score);
      nlohmann::json line = {{"id", qa.id},           {"question", qa.question}, {"prediction", prediction},
                             {"answers", qa.answers}, {"em", score.em},          {"f1", score.f1}};
      if (model.has_retriever()) {
        std::vector<std::string> ids;
        for (const auto row : retrieved.rows[i - begin]) ids.emplace_back(store->table().at(row).id);
        line["passages"] = ids;
      }
      evaluation.predictions.push_back(std::move(line));
    }
    progress.advance(end - begin);
  }
  progress.finish();
  warn_beyond_vocabulary(beyond_vocabulary, reader.tokenizer().vocab_size());
  return evaluation;
}

}  // namespace corag
