#include "corag/train/retrieval_diagnostics.hpp"

#include "corag/text/answer_normalization.hpp"
#include "corag/util/error.hpp"
#include "corag/util/jsonl_reader.hpp"

namespace corag {
namespace {

std::set<std::string> id_set(const nlohmann::json& line, const char* key, const std::string& where) {
  const auto found = line.find(key);
  CORAG_CHECK(found != line.end() && found->is_array(), where, ": no '", key, "' list");
  std::set<std::string> ids;
  for (const auto& id : *found) {
    CORAG_CHECK(id.is_string(), where, ": '", key, "' holds a non-string id");
    ids.insert(id.get<std::string>());
  }
  return ids;
}

/// Calls `each(question id, relevant, hard negatives)` for the lines of a classification file
/// whose question is in `wanted`.
template <typename Each>
void read_classification(const std::filesystem::path& file, const std::set<std::string>& wanted, Each&& each) {
  if (wanted.empty()) return;
  CORAG_CHECK(std::filesystem::is_regular_file(file), file.string(), ": missing (needed for retrieval diagnostics)");
  JsonlReader lines(file);
  for (nlohmann::json line; lines.next(line);) {
    const auto where = lines.location();
    const auto id = line.find("id");
    CORAG_CHECK(id != line.end() && id->is_string(), where, ": no question 'id'");
    if (wanted.count(id->get<std::string>()) == 0) continue;
    each(id->get<std::string>(), id_set(line, "relevant", where), id_set(line, "hard_negatives", where));
  }
}

double percent(std::size_t part, std::size_t whole) {
  return whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

RetrievalDiagnostics::RetrievalDiagnostics(const CrabLayout& crab, const std::vector<CrabClient>& clients) {
  std::map<std::string, int> train_owner;
  std::set<std::string> train_ids, test_ids, dev_ids;
  for (const auto& client : clients) {
    for (const auto& qa : client.train) {
      train_owner[qa.id] = client.index;
      train_ids.insert(qa.id);
    }
    for (const auto& qa : client.test) test_ids.insert(qa.id);
    for (const auto& qa : client.dev) dev_ids.insert(qa.id);
  }
  read_classification(
      crab.classification_file("train"), train_ids,
      [&](const std::string& id, const std::set<std::string>& relevant, const std::set<std::string>& hard_negatives) {
        for (const auto* passages : {&relevant, &hard_negatives}) {
          for (const auto& passage : *passages) contributors_[passage].insert(train_owner.at(id));
        }
      });
  const auto keep = [](std::map<std::string, Judged>& into) {
    return [&into](const std::string& id, std::set<std::string> relevant, std::set<std::string> hard_negatives) {
      into[id] = {std::move(relevant), std::move(hard_negatives)};
    };
  };
  read_classification(crab.classification_file("test"), test_ids, keep(test_));
  read_classification(crab.classification_file("dev"), dev_ids, keep(dev_));
}

nlohmann::json RetrievalDiagnostics::measure(const CrabClient& client, EvalSplit split, const Evaluation& evaluation,
                                             const DenseStore& store) const {
  const auto& judged = split == EvalSplit::test ? test_ : dev_;
  std::size_t slots = 0, relevant = 0, hard = 0, own = 0, others = 0, wrong = 0, copied = 0;
  for (const auto& prediction : evaluation.predictions) {
    const auto id = prediction.value("id", std::string());
    const auto found = judged.find(id);
    CORAG_CHECK(found != judged.end(), "retrieval diagnostics: client ", client.index, "'s ", to_string(split),
                " question '", id, "' is not in the CRAB classification");
    const auto& passages = prediction.at("passages");
    bool from_hard_negative = false;
    const auto answer = prediction.value("prediction", std::string());
    for (const auto& passage : passages) {
      const auto& passage_id = passage.get_ref<const std::string&>();
      ++slots;
      if (found->second.relevant.count(passage_id) > 0) {
        ++relevant;
      } else if (found->second.hard_negatives.count(passage_id) > 0) {
        ++hard;
        if (!from_hard_negative && !answer.empty()) {
          const auto row = store.table().find(passage_id);
          from_hard_negative = row && contains_answer(store.table().at(*row).text, answer);
        }
      }
      const auto contributors = contributors_.find(passage_id);
      if (contributors != contributors_.end()) {
        if (contributors->second.count(client.index) > 0) {
          ++own;
        } else {
          ++others;
        }
      }
    }
    if (prediction.value("em", 0.0) < 0.5 && !normalize_answer(answer).empty()) {
      ++wrong;
      if (from_hard_negative) ++copied;
    }
  }
  const std::vector<double> values = {
      percent(relevant, slots), percent(hard, slots),   percent(slots - relevant - hard, slots),
      percent(own, slots),      percent(others, slots), percent(slots - own - others, slots),
      percent(copied, wrong)};
  nlohmann::json fields;
  for (std::size_t i = 0; i < values.size(); ++i) fields[retrieval_diagnostic_fields().at(i)] = values[i];
  return fields;
}

const std::vector<std::string>& retrieval_diagnostic_fields() {
  static const std::vector<std::string> fields = {
      "retrieved_relevant",      "retrieved_hard_negative", "retrieved_irrelevant",    "retrieved_own",
      "retrieved_other_clients", "retrieved_no_client",     "wrong_from_hard_negative"};
  return fields;
}

}  // namespace corag
