#pragma once

#include <cstdint>
#include <filesystem>

namespace corag {

/// What a QA file holds, read in one streaming pass (every line validated).
struct QaFileSummary {
  std::uint64_t questions = 0;
  std::uint64_t with_id = 0;
  std::uint64_t answers = 0;              ///< total gold answers
  std::uint64_t duplicate_questions = 0;  ///< same question text as an earlier line
  std::uint64_t duplicate_ids = 0;
};

/// What a passage corpus holds, read in one streaming pass (every line validated).
struct CorpusSummary {
  std::uint64_t passages = 0;
  std::uint64_t duplicate_ids = 0;
  std::uint64_t empty_texts = 0;
  std::uint64_t words = 0;  ///< white-space separated words of title + text
};

/// Both stream the file with a progress bar; a malformed line is a corag::Error at file:line.
QaFileSummary summarize_qa_file(const std::filesystem::path& path);
CorpusSummary summarize_corpus(const std::filesystem::path& path);

}  // namespace corag
