#include "corag/crab/passage_classification.hpp"

#include "corag/text/answer_normalization.hpp"

namespace corag {

std::string classification_query(const QaRecord& qa) {
  std::string query = qa.question;
  for (const auto& answer : qa.answers) query += " " + answer;
  return query;
}

QaPassageClasses classify_passages(const QaRecord& qa, const std::vector<ScoredRow>& hits, const PassageTable& table,
                                   std::size_t depth, std::size_t relevant_depth,
                                   bool top_without_answer_is_hard_negative) {
  QaPassageClasses classes;
  for (std::size_t rank = 0; rank < hits.size() && rank < depth; ++rank) {
    const auto row = static_cast<std::uint32_t>(hits[rank].row);
    const bool relevant = rank < relevant_depth && contains_any_answer(table.at(row).text, qa.answers);
    if (relevant) {
      classes.relevant.push_back(row);
    } else if (rank >= relevant_depth || top_without_answer_is_hard_negative) {
      classes.hard_negatives.push_back(row);
    }
  }
  return classes;
}

}  // namespace corag
