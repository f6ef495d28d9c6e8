#include "corag/train/store_catalog.hpp"

#include <spdlog/spdlog.h>

#include "corag/util/error.hpp"

namespace corag {
namespace {

bool same_directory(const std::filesystem::path& a, const std::filesystem::path& b) {
  std::error_code error;
  return std::filesystem::equivalent(a, b, error);
}

}  // namespace

StoreCatalog::StoreCatalog(std::filesystem::path crab_dir, std::filesystem::path embeddings_root,
                           std::string index_factory, std::filesystem::path compose_dir, std::string encoder_fingerprint,
                           std::string retriever_name)
    : crab_dir_(std::move(crab_dir)),
      embeddings_root_(std::move(embeddings_root)),
      index_factory_(std::move(index_factory)),
      compose_dir_(std::move(compose_dir)),
      encoder_fingerprint_(std::move(encoder_fingerprint)),
      retriever_name_(std::move(retriever_name)) {}

const DenseStore& StoreCatalog::train_store(const std::string& variant, int client) {
  const std::filesystem::path shared = variant;
  if (std::filesystem::is_regular_file(crab_dir_ / "stores" / shared / "ids.txt")) return open(shared);
  return open(shared / ("client_" + std::to_string(client)));
}

const DenseStore& StoreCatalog::test_store(int client) {
  return open(std::filesystem::path("test") / ("client_" + std::to_string(client)));
}

const DenseStore& StoreCatalog::open(const std::filesystem::path& relative) {
  auto found = stores_.find(relative);
  if (found != stores_.end()) return *found->second;
  const auto source = crab_dir_ / "stores" / relative;
  const auto ids = source / "ids.txt";
  CORAG_CHECK(std::filesystem::is_regular_file(ids), ids.string(),
              " does not exist: this CRAB build has no such store (crab-build-stores --variants)");
  std::unique_ptr<DenseStore> store;
  const auto built = source / "faiss";
  if (std::filesystem::is_regular_file(built / "meta.json")) {
    store = std::make_unique<DenseStore>(built);
    const bool usable = store->index_factory() == index_factory_ &&
                        (embeddings_root_.empty() || same_directory(store->root(), embeddings_root_));
    if (!usable) store.reset();
  }
  if (!store) {
    CORAG_CHECK(!embeddings_root_.empty(), "no searchable store for ", source.string(),
                ": set store.embeddings to the `corag index build` store of the corpus (or build CRAB with "
                "stores.embeddings)");
    const auto composed = compose_dir_ / relative;
    if (!std::filesystem::is_regular_file(composed / "meta.json")) {
      spdlog::info("composing store {} from {} ({})", relative.string(), embeddings_root_.string(), index_factory_);
      StoreBuildOptions options;
      options.index_factory = index_factory_;
      DenseStore::compose({embeddings_root_}, ids, composed, options);
    }
    store = std::make_unique<DenseStore>(composed);
    CORAG_CHECK(store->index_factory() == index_factory_ && same_directory(store->root(), embeddings_root_),
                composed.string(), " was composed from ", store->root().string(), " (", store->index_factory(),
                "), not from store.embeddings ", embeddings_root_.string(), " (", index_factory_,
                "); remove it to compose it again");
  }
  store->check_passage_encoder(encoder_fingerprint_, retriever_name_);
  return *stores_.emplace(relative, std::move(store)).first->second;
}

}  // namespace corag
