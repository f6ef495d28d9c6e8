#include "corag/store/answer_recall.hpp"

#include <algorithm>

#include "corag/models/reader_record.hpp"
#include "corag/text/answer_normalization.hpp"
#include "corag/util/error.hpp"

namespace corag {

AnswerRecall answer_recall_at_k(const std::filesystem::path& retrieval_file, const std::vector<std::size_t>& ks) {
  CORAG_CHECK(!ks.empty(), "answer recall: give at least one k");
  for (std::size_t i = 0; i < ks.size(); ++i) {
    CORAG_CHECK(ks[i] > 0 && (i == 0 || ks[i] > ks[i - 1]), "answer recall: k must be positive and ascending");
  }
  AnswerRecall recall;
  recall.ks = ks;
  std::vector<std::size_t> found(ks.size(), 0);
  ReaderRecordReader reader(retrieval_file, AnswersPolicy::required);
  for (auto batch = reader.next_batch(256); !batch.empty(); batch = reader.next_batch(256)) {
    for (const auto& record : batch) {
      const auto& passages = record.example.passages;
      const auto first = std::find_if(passages.begin(), passages.end(), [&](const ReaderPassage& passage) {
        return contains_any_answer(passage.text, record.qa.answers);
      });
      const auto rank = static_cast<std::size_t>(first - passages.begin()) + 1;  // past the end: not found
      for (std::size_t i = 0; i < ks.size(); ++i) {
        if (first != passages.end() && rank <= ks[i]) ++found[i];
      }
      ++recall.questions;
    }
  }
  CORAG_CHECK(recall.questions > 0, retrieval_file.string(), ": no questions");
  for (const auto count : found) recall.percent.push_back(100.0 * static_cast<double>(count) / recall.questions);
  return recall;
}

}  // namespace corag
