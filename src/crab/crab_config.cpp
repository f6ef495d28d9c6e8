#include "corag/crab/crab_config.hpp"

namespace corag {

std::vector<ConfigProblem> CrabConfig::check() const {
  std::vector<ConfigProblem> problems;
  if (data.train_pool.empty()) problems.push_back({"data.train_pool", "list at least one QA file"});
  if (data.test_pool.empty()) problems.push_back({"data.test_pool", "give the QA file of the test pool"});
  if (data.corpus.empty()) problems.push_back({"data.corpus", "give the passage corpus"});
  std::int64_t previous = 0;
  for (const auto& shot : splits.shots) {
    std::size_t used = 0;
    long long value = 0;
    try {
      value = std::stoll(shot, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != shot.size() || value <= previous) {
      problems.push_back({"splits.shots", "must be ascending positive integers, got '" + shot + "'"});
      break;
    }
    // Beyond any real pool, and clients x shots must not overflow (2^62 crashed the builder).
    if (value > kMaxShots) {
      problems.push_back({"splits.shots", "must be at most " + std::to_string(kMaxShots) + ", got '" + shot + "'"});
      break;
    }
    previous = value;
  }
  if (splits.shots.empty()) problems.push_back({"splits.shots", "list at least one shot level"});
  if (splits.dev_size % splits.clients != 0)
    problems.push_back(
        {"splits.dev_size", "must be a multiple of splits.clients (" + std::to_string(splits.clients) + ")"});
  if (splits.test_size % splits.clients != 0)
    problems.push_back(
        {"splits.test_size", "must be a multiple of splits.clients (" + std::to_string(splits.clients) + ")"});
  if (stores.rel1_client > splits.clients)
    problems.push_back({"stores.rel1_client", "must be a client number, 1.." + std::to_string(splits.clients)});
  if (stores.split_fraction * static_cast<double>(splits.clients) > 1.0)
    problems.push_back({"stores.split_fraction", "times splits.clients exceeds the whole eligible corpus"});
  if (stores.test_fraction * static_cast<double>(splits.clients) > 1.0)
    problems.push_back({"stores.test_fraction", "times splits.clients exceeds the whole corpus"});
  if (bm25.relevant_depth > bm25.depth) problems.push_back({"bm25.relevant_depth", "must not exceed bm25.depth"});
  if (!bm25.index.empty() && !bm25.run.empty())
    problems.push_back({"bm25.run", "give bm25.index or bm25.run, not both"});
  return problems;
}

std::vector<InputPath> CrabConfig::input_paths() const {
  std::vector<InputPath> inputs;
  for (const auto& pool : data.train_pool) inputs.push_back({"data.train_pool", pool, InputKind::file});
  inputs.push_back({"data.test_pool", data.test_pool, InputKind::file});
  inputs.push_back({"data.corpus", data.corpus, InputKind::file});
  inputs.push_back({"bm25.index", bm25.index, InputKind::directory});
  inputs.push_back({"bm25.run", bm25.run, InputKind::file});
  inputs.push_back({"stores.embeddings", stores.embeddings, InputKind::directory});
  return inputs;
}

std::vector<std::size_t> CrabConfig::shot_levels() const {
  std::vector<std::size_t> levels;
  for (const auto& shot : splits.shots) levels.push_back(static_cast<std::size_t>(std::stoull(shot)));
  return levels;
}

}  // namespace corag
