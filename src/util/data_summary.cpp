#include "corag/util/data_summary.hpp"

#include <unordered_set>

#include "corag/util/passage_reader.hpp"
#include "corag/util/progress_bar.hpp"
#include "corag/util/qa_reader.hpp"

namespace corag {
namespace {

std::uint64_t count_words(const std::string& text) {
  std::uint64_t words = 0;
  bool in_word = false;
  for (const char c : text) {
    const bool space = c == ' ' || c == '\t' || c == '\n';
    words += (!space && !in_word) ? 1 : 0;
    in_word = !space;
  }
  return words;
}

}  // namespace

QaFileSummary summarize_qa_file(const std::filesystem::path& path) {
  QaFileSummary summary;
  std::unordered_set<std::string> questions, ids;
  QaReader reader(path);
  QaRecord record;
  ProgressBar progress("read " + path.filename().string(), 0, "questions");
  while (reader.next(record)) {
    ++summary.questions;
    summary.answers += record.answers.size();
    summary.duplicate_questions += questions.insert(record.question).second ? 0 : 1;
    if (!record.id.empty()) {
      ++summary.with_id;
      summary.duplicate_ids += ids.insert(record.id).second ? 0 : 1;
    }
    progress.advance();
  }
  return summary;
}

CorpusSummary summarize_corpus(const std::filesystem::path& path) {
  CorpusSummary summary;
  std::unordered_set<std::string> ids;
  PassageReader reader(path);
  Passage passage;
  ProgressBar progress("read " + path.filename().string(), 0, "passages");
  while (reader.next(passage)) {
    ++summary.passages;
    summary.duplicate_ids += ids.insert(passage.id).second ? 0 : 1;
    summary.empty_texts += passage.text.empty() ? 1 : 0;
    summary.words += count_words(passage.title) + count_words(passage.text);
    progress.advance();
  }
  return summary;
}

}  // namespace corag
