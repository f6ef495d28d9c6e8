#include "corag/train/client_evaluation.hpp"

#include "corag/train/rag_evaluator.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"

namespace corag {

nlohmann::json evaluate_client(RagModel& model, const CrabClient& client, EvalSplit eval_split, StoreCatalog* catalog,
                               const ExperimentConfig& config, const Runtime& runtime,
                               const std::filesystem::path& predictions_file) {
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
    store = config.eval.include_train_store ? &catalog->split_and_train_store(split, config.store.variant, client.index)
                                            : &catalog->split_store(split, client.index);
  }
  const auto evaluation = evaluate_questions(model, questions, store, config, runtime,
                                             "eval client " + std::to_string(client.index) + " " + split);
  if (!predictions_file.empty()) {
    write_file_atomically(predictions_file, [&](std::ostream& out) {
      for (const auto& line : evaluation.predictions) out << line.dump() << '\n';
    });
  }
  nlohmann::json record = {{"client", client.index},
                           {"split", split},
                           {"em", evaluation.totals.em_percent()},
                           {"f1", evaluation.totals.f1_percent()},
                           {"n", evaluation.totals.count()},
                           {"eval_store", config.eval.include_train_store ? split + "+train" : split}};
  if (store != nullptr) {
    record["answer_recall"] =
        100.0 * static_cast<double>(evaluation.answer_found) / static_cast<double>(evaluation.totals.count());
  }
  return record;
}

}  // namespace corag
