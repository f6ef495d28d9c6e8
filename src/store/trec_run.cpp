#include "corag/store/trec_run.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <set>
#include <sstream>

#include "corag/util/error.hpp"
#include "corag/util/line_reader.hpp"

namespace corag {

std::map<std::string, std::vector<ScoredRow>> read_trec_run(const std::filesystem::path& path,
                                                            const PassageTable& table) {
  std::map<std::string, std::vector<std::pair<long, ScoredRow>>> ranked;
  std::map<std::string, std::set<std::size_t>> listed;  // passages per query, to refuse one listed twice
  LineReader lines(path);
  std::string line;
  while (lines.next(line)) {
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::istringstream fields(line);
    std::string query_id, q0, doc_id, tag;
    long rank = 0;
    double score = 0;
    CORAG_CHECK(static_cast<bool>(fields >> query_id >> q0 >> doc_id >> rank >> score >> tag) && std::isfinite(score),
                lines.location(), ": expected 'qid Q0 docid rank score tag'");
    const auto row = table.find(doc_id);
    CORAG_CHECK(row.has_value(), lines.location(), ": passage id '", doc_id, "' is not in the corpus");
    CORAG_CHECK(listed[query_id].insert(*row).second, lines.location(), ": query '", query_id, "' lists passage '",
                doc_id, "' a second time");
    ranked[query_id].push_back({rank, {*row, static_cast<float>(score)}});
  }
  std::map<std::string, std::vector<ScoredRow>> run;
  for (auto& [query_id, hits] : ranked) {
    std::stable_sort(hits.begin(), hits.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 1; i < hits.size(); ++i) {
      CORAG_CHECK(hits[i].first != hits[i - 1].first, path.string(), ": query '", query_id, "' has rank ",
                  hits[i].first, " twice");
    }
    auto& rows = run[query_id];
    for (const auto& hit : hits) rows.push_back(hit.second);
  }
  return run;
}

void write_trec_hits(std::ostream& out, const std::string& query_id, const std::vector<ScoredRow>& hits,
                     const PassageTable& table, const std::string& tag) {
  for (std::size_t rank = 0; rank < hits.size(); ++rank) {
    out << query_id << " Q0 " << table.at(hits[rank].row).id << ' ' << rank + 1 << ' ' << std::fixed
        << std::setprecision(6) << hits[rank].score << ' ' << tag << '\n';
  }
}

}  // namespace corag
