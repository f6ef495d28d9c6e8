#include "corag/train/evaluation.hpp"

#include <algorithm>
#include <map>

#include "corag/text/answer_normalization.hpp"
#include "corag/train/autocast_scope.hpp"
#include "corag/train/passage_retrieval.hpp"
#include "corag/train/retrieval_diagnostics.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/json_fields.hpp"
#include "corag/util/jsonl_reader.hpp"
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

ClientEvaluation score_client(RagModel& model, const CrabClient& client, EvalSplit eval_split, StoreCatalog* catalog,
                              const ExperimentConfig& config, const Runtime& runtime,
                              const RetrievalDiagnostics* diagnostics) {
  const auto split = to_string(eval_split);
  const auto& all = eval_split == EvalSplit::test ? client.test : client.dev;
  CORAG_CHECK(!all.empty(), "client ", client.index, " has no ", split, " questions");
  const auto cap = static_cast<std::size_t>(config.eval.max_questions);
  std::vector<QaRecord> capped;  // a copy only when eval.max_questions cuts the list
  if (cap > 0 && all.size() > cap) capped.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(cap));
  const auto& questions = capped.empty() ? all : capped;
  const DenseStore* store = nullptr;
  if (model.has_retriever()) {
    CORAG_CHECK(catalog != nullptr, "a retrieval model needs the CRAB stores to evaluate");
    store = config.eval.include_train_store
                ? &catalog->split_and_train_store(eval_split, config.store.variant, client.index)
                : &catalog->split_store(eval_split, client.index);
  }
  auto evaluation = evaluate_questions(model, questions, store, config, runtime,
                                       "eval client " + std::to_string(client.index) + " " + split);
  nlohmann::json record = {{"client", client.index},
                           {"split", split},
                           {"em", evaluation.totals.em_percent()},
                           {"f1", evaluation.totals.f1_percent()},
                           {"n", evaluation.totals.count()},
                           {"eval_store", config.eval.include_train_store ? split + "+train" : split}};
  if (store != nullptr) {
    record["answer_recall"] =
        100.0 * static_cast<double>(evaluation.answer_found) / static_cast<double>(evaluation.totals.count());
    if (diagnostics != nullptr) record.update(diagnostics->measure(client, eval_split, evaluation, *store));
  }
  return {std::move(record), std::move(evaluation.predictions)};
}

void write_predictions_file(const std::filesystem::path& file, const std::vector<nlohmann::json>& predictions) {
  write_file_atomically(file, [&](std::ostream& out) {
    for (const auto& line : predictions) out << line.dump() << '\n';
  });
}

nlohmann::json evaluate_client(RagModel& model, const CrabClient& client, EvalSplit split, StoreCatalog* catalog,
                               const ExperimentConfig& config, const Runtime& runtime,
                               const std::filesystem::path& predictions_file) {
  auto evaluation = score_client(model, client, split, catalog, config, runtime);
  write_predictions_file(predictions_file, evaluation.predictions);
  return std::move(evaluation.record);
}

namespace {

struct Prediction {
  std::string id;  ///< empty when the line has none
  std::string text;
  std::string location;
};

std::vector<Prediction> read_predictions(const std::filesystem::path& path) {
  std::vector<Prediction> predictions;
  JsonlReader lines(path);
  for (nlohmann::json value; lines.next(value);) {
    const auto location = lines.location();
    CORAG_CHECK(value.is_object(), location, ": expected a JSON object {\"id\"?, \"prediction\"}");
    // The fields corag's own predictions files carry besides these two pass.
    refuse_misspelt_keys(value, {"id", "prediction", "question", "answers", "em", "f1", "passages"}, location);
    Prediction prediction;
    prediction.location = location;
    const auto text = value.find("prediction");
    CORAG_CHECK(text != value.end() && text->is_string(), location, ": \"prediction\" must be a string");
    prediction.text = text->get<std::string>();
    if (const auto id = value.find("id"); id != value.end() && !id->is_null()) {
      CORAG_CHECK(id->is_string() || id->is_number_integer(), location, ": \"id\" must be a string or an integer");
      prediction.id = id->is_string() ? id->get<std::string>() : std::to_string(id->get<std::int64_t>());
    }
    predictions.push_back(std::move(prediction));
  }
  return predictions;
}

}  // namespace

AnswerScoreTotals score_predictions_file(const std::filesystem::path& predictions_path,
                                         const std::filesystem::path& gold_path) {
  const auto predictions = read_predictions(predictions_path);
  const auto gold = read_qa_file(gold_path);
  // Predictions are matched by id when they carry ids and by position when none does; a file
  // with ids on some lines only is neither, and guessing would score answers against the wrong
  // questions.
  const bool by_id = !predictions.empty() && !predictions.front().id.empty();
  for (const auto& prediction : predictions) {
    CORAG_CHECK(prediction.id.empty() != by_id, prediction.location, ": ",
                by_id ? "has no \"id\" but the first line has one" : "has an \"id\" but the first line has none",
                "; give every prediction an id, or none (matched by position)");
  }
  if (by_id) {
    for (std::size_t i = 0; i < gold.size(); ++i) {
      CORAG_CHECK(!gold[i].id.empty(), gold_path.string(), ": question ", i + 1,
                  " has no id, so predictions with ids cannot be matched to it");
    }
  }
  AnswerScoreTotals totals;
  if (!by_id) {
    CORAG_CHECK(predictions.size() == gold.size(), predictions_path.string(), " has ", predictions.size(),
                " predictions but ", gold_path.string(), " has ", gold.size(),
                " questions; without ids on both sides they are matched by position");
    for (std::size_t i = 0; i < gold.size(); ++i) totals.add(score_answer(predictions[i].text, gold[i].answers));
    return totals;
  }
  std::map<std::string, const Prediction*> by_question;
  for (const auto& prediction : predictions) {
    const auto inserted = by_question.emplace(prediction.id, &prediction);
    CORAG_CHECK(inserted.second, prediction.location, ": id '", prediction.id, "' was already predicted at ",
                inserted.first->second->location);
  }
  // A gold id on two questions would score its one prediction against both.
  std::map<std::string, std::size_t> gold_ids;
  std::vector<std::string> missing;
  for (std::size_t question = 1; question <= gold.size(); ++question) {
    const auto& qa = gold[question - 1];
    const auto inserted = gold_ids.emplace(qa.id, question);
    CORAG_CHECK(inserted.second, gold_path.string(), ": question ", question, " repeats id '", qa.id, "' of question ",
                inserted.first->second, "; predictions are matched by id");
    const auto found = by_question.find(qa.id);
    if (found == by_question.end()) {
      missing.push_back(qa.id);
    } else {
      totals.add(score_answer(found->second->text, qa.answers));
    }
  }
  CORAG_CHECK(missing.empty(), predictions_path.string(), " has no prediction for ", missing.size(), " of ",
              gold.size(), " questions of ", gold_path.string(), " (first: id '", missing.front(), "')");
  for (const auto& prediction : predictions) {
    CORAG_CHECK(gold_ids.count(prediction.id) == 1, prediction.location, ": id '", prediction.id,
                "' is not a question of ", gold_path.string());
  }
  return totals;
}

}  // namespace corag
