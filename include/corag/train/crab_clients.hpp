#pragma once

#include <cstdint>
#include <filesystem>
#include <vector>

#include "corag/util/qa_reader.hpp"

namespace corag {

/// One CRAB client's questions (read from a `crab-build-stores` directory).
struct CrabClient {
  int index = 0;  ///< 1-based, as in the file names
  std::vector<QaRecord> train, dev, test;
};

/// Reads `splits/train{shots}/client_i.jsonl`, `splits/dev/client_i.jsonl` (empty when the
/// build has no dev split) and `splits/test/client_i.jsonl` for clients 1..`clients`.
std::vector<CrabClient> load_crab_clients(const std::filesystem::path& crab_dir, std::int64_t shots,
                                          std::int64_t clients);

}  // namespace corag
