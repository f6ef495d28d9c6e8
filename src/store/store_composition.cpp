#include "corag/store/store_composition.hpp"

#include <algorithm>
#include <memory>

#include <nlohmann/json.hpp>

#include "corag/store/dense_store.hpp"
#include "corag/store/store_files.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/line_reader.hpp"

namespace corag {
namespace {

/// Root rows of the passage ids listed in `ids_file`, ascending; each must be among `rows`.
std::vector<std::uint64_t> listed_rows(const std::filesystem::path& ids_file, const DenseStore& store,
                                       const std::vector<std::uint64_t>& rows) {
  std::vector<std::uint64_t> wanted;
  LineReader lines(ids_file);
  std::string line;
  while (lines.next(line)) {
    if (line.empty()) continue;
    const auto row = store.table().find(line);
    CORAG_CHECK(row.has_value(), lines.location(), ": passage id '", line, "' is not in the corpus of ",
                store.root().string());
    CORAG_CHECK(std::binary_search(rows.begin(), rows.end(), *row), lines.location(), ": passage id '", line,
                "' is not in the --from store(s)");
    wanted.push_back(*row);
  }
  std::sort(wanted.begin(), wanted.end());
  wanted.erase(std::unique(wanted.begin(), wanted.end()), wanted.end());
  return wanted;
}

}  // namespace

void compose_store(const std::vector<std::filesystem::path>& from, const std::optional<std::filesystem::path>& ids_file,
                   const std::filesystem::path& out, const StoreBuildOptions& options) {
  CORAG_CHECK(!from.empty(), "compose needs at least one --from store");
  std::vector<std::unique_ptr<DenseStore>> sources;
  for (const auto& dir : from) sources.push_back(std::make_unique<DenseStore>(dir));
  const auto& root = sources.front()->root();
  for (const auto& source : sources) {
    CORAG_CHECK(std::filesystem::equivalent(source->root(), root), source->dir().string(), " is over the root store ",
                source->root().string(), ", not ", root.string(), "; composed stores must share one");
  }
  std::vector<std::uint64_t> rows;
  for (const auto& source : sources) rows.insert(rows.end(), source->rows().begin(), source->rows().end());
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());

  const auto& first = *sources.front();
  if (ids_file) rows = listed_rows(*ids_file, first, rows);
  CORAG_CHECK(!rows.empty(), out.string(), ": the composed store would be empty");
  // Writing over a store would replace the index and rows that it, or stores composed over it,
  // are read through (the root's own folder among them).
  CORAG_CHECK(!std::filesystem::exists(out / store_files::kMeta), out.string(),
              ": already holds a store; remove it or choose another --out");

  std::filesystem::create_directories(out);
  write_store_rows(out / store_files::kRows, rows);
  write_store_docids(out / store_files::kDocids, rows, first.table());
  const auto checksum = write_store_index(out, options, first.root_embeddings(), rows);
  const nlohmann::json meta = {
      {"format", store_files::kFormat},
      {"count", rows.size()},
      {"dim", first.dim()},
      {"fingerprint", first.fingerprint()},
      {"index", options.index_factory},
      {"index_checksum", checksum},
      {"base", std::filesystem::relative(std::filesystem::absolute(root), std::filesystem::absolute(out)).string()}};
  write_file_atomically(out / store_files::kMeta, meta.dump(2) + "\n");
}

}  // namespace corag
