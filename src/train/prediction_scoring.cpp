#include "corag/train/prediction_scoring.hpp"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "corag/util/error.hpp"
#include "corag/util/json_fields.hpp"
#include "corag/util/jsonl_reader.hpp"
#include "corag/util/qa_reader.hpp"

namespace corag {
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
  std::set<std::string> gold_ids;
  std::vector<std::string> missing;
  for (const auto& qa : gold) {
    gold_ids.insert(qa.id);
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
