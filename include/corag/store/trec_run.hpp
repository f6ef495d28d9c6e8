#pragma once

#include <filesystem>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "corag/store/passage_table.hpp"
#include "corag/store/scored_row.hpp"

namespace corag {

/// A run in TREC format (`qid Q0 docid rank score tag` per line), e.g. one written by Pyserini:
/// hits per query id, in rank order, with docids resolved to rows of `table`. An unknown docid,
/// a malformed line or a repeated rank is an error naming `file:line`.
std::map<std::string, std::vector<ScoredRow>> read_trec_run(const std::filesystem::path& path,
                                                            const PassageTable& table);

/// Writes one query's hits as TREC lines (ranks from 1).
void write_trec_hits(std::ostream& out, const std::string& query_id, const std::vector<ScoredRow>& hits,
                     const PassageTable& table, const std::string& tag);

}  // namespace corag
