#include "corag/crab/crab_splits.hpp"

#include <numeric>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "corag/text/answer_normalization.hpp"
#include "corag/util/error.hpp"
#include "corag/util/rng.hpp"

namespace corag {
namespace {

/// Reads QA files in order, drops questions already seen (normalised), gives each a stable id.
std::vector<QaRecord> read_pool(const std::vector<std::string>& files, std::unordered_set<std::string>& seen,
                                const std::unordered_set<std::string>& excluded, std::size_t& duplicates,
                                std::size_t& overlaps) {
  std::vector<QaRecord> pool;
  std::unordered_set<std::string> ids;
  for (const auto& file : files) {
    QaReader reader(file, AnswersPolicy::required);
    QaRecord record;
    while (reader.next(record)) {
      const auto key = normalize_answer(record.question);
      if (excluded.count(key)) {
        ++overlaps;
        continue;
      }
      if (!seen.insert(key).second) {
        ++duplicates;
        continue;
      }
      if (record.id.empty()) record.id = std::filesystem::path(reader.location()).filename().string();
      CORAG_CHECK(ids.insert(record.id).second, reader.location(), ": question id '", record.id,
                  "' is used twice in the pool");
      pool.push_back(std::move(record));
    }
  }
  return pool;
}

/// A seeded permutation of `pool`.
std::vector<QaRecord> shuffled(std::vector<QaRecord> pool, std::uint64_t seed, std::string_view stream) {
  Rng rng(derive_seed(seed, stream));
  rng.shuffle(pool);
  return pool;
}

}  // namespace

CrabSplits make_crab_splits(const CrabConfig& config) {
  CrabSplits splits;
  const auto clients = static_cast<std::size_t>(config.splits.clients);
  const auto seed = static_cast<std::uint64_t>(config.build.seed);

  std::unordered_set<std::string> test_seen;
  auto test_pool = read_pool({config.data.test_pool}, test_seen, {}, splits.duplicates_dropped, splits.overlap_dropped);
  splits.test_pool = test_pool.size();
  const auto test_size = static_cast<std::size_t>(config.splits.test_size);
  CORAG_CHECK(test_pool.size() >= test_size, config.data.test_pool, ": ", test_pool.size(),
              " usable questions, but splits.test_size asks for ", test_size, " (", test_size - test_pool.size(),
              " missing)");
  test_pool = shuffled(std::move(test_pool), seed, "crab/test-split");

  std::unordered_set<std::string> train_seen;
  auto train_pool =
      read_pool(config.data.train_pool, train_seen, test_seen, splits.duplicates_dropped, splits.overlap_dropped);
  splits.train_pool = train_pool.size();
  const auto dev_size = static_cast<std::size_t>(config.splits.dev_size);
  const auto max_shot = config.shot_levels().back();
  const auto needed = dev_size + clients * max_shot;
  CORAG_CHECK(train_pool.size() >= needed, "the train pool (", train_pool.size(),
              " usable questions in data.train_pool) ", "is too small for splits.dev_size ", dev_size, " + ", clients,
              " clients x ", max_shot, " shots = ", needed, " (", needed - train_pool.size(), " missing)");
  train_pool = shuffled(std::move(train_pool), seed, "crab/train-split");

  splits.train.resize(clients);
  splits.dev.resize(clients);
  splits.test.resize(clients);
  const auto take = [](const std::vector<QaRecord>& pool, std::size_t begin, std::size_t count) {
    return std::vector<QaRecord>(pool.begin() + static_cast<std::ptrdiff_t>(begin),
                                 pool.begin() + static_cast<std::ptrdiff_t>(begin + count));
  };
  for (std::size_t c = 0; c < clients; ++c) {
    splits.test[c] = take(test_pool, c * (test_size / clients), test_size / clients);
    splits.dev[c] = take(train_pool, c * (dev_size / clients), dev_size / clients);
    splits.train[c] = take(train_pool, dev_size + c * max_shot, max_shot);
  }
  spdlog::info(
      "CRAB splits: test pool {} questions, train pool {}; dropped {} duplicates and {} train-pool questions "
      "that are in the test pool",
      splits.test_pool, splits.train_pool, splits.duplicates_dropped, splits.overlap_dropped);
  return splits;
}

}  // namespace corag
