#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "corag/store/dense_store.hpp"

namespace corag {

/// The searchable CRAB stores of an experiment, opened once each. A store is found by its
/// passage-id list in the CRAB build (`stores/<variant>/ids.txt`, or per client
/// `stores/<variant>/client_i/ids.txt`; test stores `stores/test/client_i/`). It is searched
/// through the build's own `faiss/` store when that one was composed from `embeddings_root`,
/// else composed once from `embeddings_root` into `compose_dir` (no re-embedding: DESIGN.md
/// "query-side fine-tuning"). Each store's passage encoder must have `encoder_fingerprint`
/// (`weights_fingerprint` of the retriever's passage encoder).
class StoreCatalog {
 public:
  StoreCatalog(std::filesystem::path crab_dir, std::filesystem::path embeddings_root, std::string index_factory,
               std::filesystem::path compose_dir, std::string encoder_fingerprint, std::string retriever_name);

  /// The train store of `client` (1-based) under `variant` (REL, IRR, REL-1, SPLIT, ablations/x).
  const DenseStore& train_store(const std::string& variant, int client);
  const DenseStore& test_store(int client);

 private:
  const DenseStore& open(const std::filesystem::path& relative);

  std::filesystem::path crab_dir_, embeddings_root_;
  std::string index_factory_;
  std::filesystem::path compose_dir_;
  std::string encoder_fingerprint_, retriever_name_;
  std::map<std::filesystem::path, std::unique_ptr<DenseStore>> stores_;
};

}  // namespace corag
