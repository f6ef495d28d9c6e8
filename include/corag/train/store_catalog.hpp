#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "corag/config/experiment_config.hpp"
#include "corag/crab/crab_layout.hpp"
#include "corag/store/dense_store.hpp"

namespace corag {

/// The searchable CRAB stores of an experiment, opened once each. A store is found by its
/// passage-id list in the CRAB build (`stores/<variant>/ids.txt`, or per client
/// `stores/<variant>/client_i/ids.txt`; test and dev stores `stores/test/client_i/`,
/// `stores/dev/client_i/`). It is searched through the build's own `faiss/` store when that
/// one was composed from `embeddings_root`, else composed once from `embeddings_root` into
/// `compose_dir` (no re-embedding: DESIGN.md "query-side fine-tuning"). Each store's passage
/// encoder must have `encoder_fingerprint` (`weights_fingerprint` of the retriever's passage
/// encoder).
class StoreCatalog {
 public:
  StoreCatalog(std::filesystem::path crab_dir, std::filesystem::path embeddings_root, std::string index_factory,
               std::filesystem::path compose_dir, std::string encoder_fingerprint, std::string retriever_name);

  /// The train store of `client` (1-based) under `variant` (REL, IRR, REL-1, SPLIT, PARTITION,
  /// ablations/x); null when its id list is empty (the "0 % store" of paper table 5: the
  /// client trains without passages).
  const DenseStore* train_store(const std::string& variant, int client);
  /// The evaluation store of `client` on `split`.
  const DenseStore& split_store(EvalSplit split, int client);
  /// The union of `client`'s `split` store and its train store under `variant` (paper table 5,
  /// "Test + Train store"), composed once.
  const DenseStore& split_and_train_store(EvalSplit split, const std::string& variant, int client);

 private:
  std::filesystem::path train_store_path(const std::string& variant, int client) const;
  const DenseStore& open(const std::filesystem::path& relative);
  /// Opens `relative` from `compose_dir`, composing it there first from `from` (stores over
  /// `root`) cut to `ids` when given.
  const DenseStore& open_composed(const std::filesystem::path& relative, const std::vector<std::filesystem::path>& from,
                                  const std::optional<std::filesystem::path>& ids, const std::filesystem::path& root);

  CrabLayout crab_;
  std::filesystem::path embeddings_root_;
  std::string index_factory_;
  std::filesystem::path compose_dir_;
  std::string encoder_fingerprint_, retriever_name_;
  std::map<std::filesystem::path, std::unique_ptr<DenseStore>> stores_;
};

}  // namespace corag
