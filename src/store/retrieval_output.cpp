#include "corag/store/retrieval_output.hpp"

#include "corag/store/trec_run.hpp"

namespace corag {

nlohmann::json retrieval_line(const QaRecord& query, const std::vector<ScoredRow>& hits, const PassageTable& table) {
  nlohmann::json line;
  if (!query.id.empty()) line["id"] = query.id;
  line["question"] = query.question;
  if (!query.answers.empty()) line["answers"] = query.answers;
  auto passages = nlohmann::json::array();
  for (const auto& hit : hits) {
    const auto passage = table.at(hit.row);
    passages.push_back({{"id", passage.id}, {"title", passage.title}, {"text", passage.text}, {"score", hit.score}});
  }
  line["passages"] = std::move(passages);
  return line;
}

void write_retrieval_hits(std::ostream& out, RetrievalFormat format, const QaRecord& query, std::size_t position,
                          const std::vector<ScoredRow>& hits, const PassageTable& table, const std::string& tag) {
  if (format == RetrievalFormat::trec) {
    write_trec_hits(out, query.id.empty() ? std::to_string(position + 1) : query.id, hits, table, tag);
  } else {
    out << retrieval_line(query, hits, table).dump() << '\n';
  }
}

}  // namespace corag
