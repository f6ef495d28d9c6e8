#include "corag/train/store_catalog.hpp"

#include <spdlog/spdlog.h>

#include "corag/store/store_composition.hpp"
#include "corag/util/error.hpp"

namespace corag {
namespace {

bool same_directory(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code error;
  return std::filesystem::equivalent(a, b, error);
}

}  // namespace

StoreCatalog::StoreCatalog(std::filesystem::path crab_dir, std::filesystem::path embeddings_root,
                           std::string index_factory, std::filesystem::path compose_dir,
                           std::string encoder_fingerprint, std::string retriever_name)
    : crab_(std::move(crab_dir)),
      embeddings_root_(std::move(embeddings_root)),
      index_factory_(std::move(index_factory)),
      compose_dir_(std::move(compose_dir)),
      encoder_fingerprint_(std::move(encoder_fingerprint)),
      retriever_name_(std::move(retriever_name)) {}

std::filesystem::path StoreCatalog::train_store_path(const std::string& variant, int client) const {
  const std::filesystem::path shared = variant;
  if (std::filesystem::is_regular_file(crab_.store_ids(shared))) return shared;
  return shared / CrabLayout::client_name(client);
}

const DenseStore* StoreCatalog::train_store(const std::string& variant, int client) {
  const auto relative = train_store_path(variant, client);
  const auto ids = crab_.store_ids(relative);
  if (std::filesystem::is_regular_file(ids) && std::filesystem::file_size(ids) == 0) return nullptr;
  return &open(relative);
}

const DenseStore& StoreCatalog::split_store(EvalSplit split, int client) {
  const auto relative = std::filesystem::path(to_string(split)) / CrabLayout::client_name(client);
  CORAG_CHECK(split == EvalSplit::test || std::filesystem::is_regular_file(crab_.store_ids(relative)),
              crab_.root().string(),
              " has no dev stores (stores/dev/): rebuild it with this crab-build-stores, or "
              "evaluate without eval.dev");
  return open(relative);
}

const DenseStore& StoreCatalog::split_and_train_store(EvalSplit split, const std::string& variant, int client) {
  const auto relative = std::filesystem::path(to_string(split) + "+train") / CrabLayout::client_name(client) / variant;
  const auto found = stores_.find(relative);
  if (found != stores_.end()) return *found->second;
  const auto& evaluation = split_store(split, client);
  std::vector<std::filesystem::path> from = {evaluation.dir()};
  if (const auto* train = train_store(variant, client)) from.push_back(train->dir());
  return open_composed(relative, from, std::nullopt, evaluation.root());
}

const DenseStore& StoreCatalog::open(const std::filesystem::path& relative) {
  auto found = stores_.find(relative);
  if (found != stores_.end()) return *found->second;
  const auto source = crab_.stores() / relative;
  const auto ids = crab_.store_ids(relative);
  CORAG_CHECK(std::filesystem::is_regular_file(ids), ids.string(),
              " does not exist: this CRAB build has no such store (crab-build-stores --variants)");
  const auto built = crab_.store_index(relative);
  if (std::filesystem::is_regular_file(built / "meta.json")) {
    auto store = std::make_unique<DenseStore>(built);
    const bool usable = store->index_factory() == index_factory_ &&
                        (embeddings_root_.empty() || same_directory(store->root(), embeddings_root_));
    if (usable) {
      store->check_passage_encoder(encoder_fingerprint_, retriever_name_);
      return *stores_.emplace(relative, std::move(store)).first->second;
    }
  }
  CORAG_CHECK(!embeddings_root_.empty(), "no searchable store for ", source.string(),
              ": set store.embeddings to the `corag index build` store of the corpus (or build CRAB with "
              "stores.embeddings)");
  return open_composed(relative, {embeddings_root_}, ids, embeddings_root_);
}

const DenseStore& StoreCatalog::open_composed(const std::filesystem::path& relative,
                                              const std::vector<std::filesystem::path>& from,
                                              const std::optional<std::filesystem::path>& ids,
                                              const std::filesystem::path& root) {
  const auto composed = compose_dir_ / relative;
  if (!std::filesystem::is_regular_file(composed / "meta.json")) {
    spdlog::info("composing store {} ({})", relative.string(), index_factory_);
    StoreBuildOptions options;
    options.index_factory = index_factory_;
    compose_store(from, ids, composed, options);
  }
  auto store = std::make_unique<DenseStore>(composed);
  CORAG_CHECK(store->index_factory() == index_factory_ && same_directory(store->root(), root), composed.string(),
              " was composed from ", store->root().string(), " (", store->index_factory(), "), not from ",
              root.string(), " (", index_factory_, "); remove it to compose it again");
  store->check_passage_encoder(encoder_fingerprint_, retriever_name_);
  return *stores_.emplace(relative, std::move(store)).first->second;
}

}  // namespace corag
