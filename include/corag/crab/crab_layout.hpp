#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace corag {

/// Where a CRAB build keeps what (crab-build-stores writes it; `corag train` and `corag eval` read
/// it). Under the build's root:
///
///     manifest.json                   written last: a build without it is unfinished
///     build.started                   marks the splits, classification and stores of a build under way
///     bm25/                           the BM25 index of the corpus (unless bm25.index names one)
///     splits/train{shots}/client_{c}.jsonl, splits/{test,dev}/client_{c}.jsonl
///     classification/{train,dev,test}.jsonl
///     stores/{name}/ids.txt           a store's passage ids; `name` is a variant shared by all
///                                     clients (REL, IRR), {variant}/client_{c} (REL-1, SPLIT,
///                                     PARTITION), {test,dev}/client_{c}, or ablations/...
///     stores/{name}/faiss/            the store itself, when stores.embeddings was given
///
/// Clients are numbered from 1.
class CrabLayout {
 public:
  explicit CrabLayout(std::filesystem::path root) : root_(std::move(root)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path manifest() const { return root_ / "manifest.json"; }
  std::filesystem::path build_marker() const { return root_ / "build.started"; }
  std::filesystem::path bm25() const { return root_ / "bm25"; }
  std::filesystem::path splits() const { return root_ / "splits"; }
  std::filesystem::path classification() const { return root_ / "classification"; }
  std::filesystem::path stores() const { return root_ / "stores"; }

  /// "client_3".
  static std::string client_name(std::int64_t client) { return "client_" + std::to_string(client); }
  /// "train64": the split of the training questions at `shots` per client.
  static std::string train_split_name(std::int64_t shots) { return "train" + std::to_string(shots); }

  /// splits/{split}/ and its file for `client` (split: train{shots}, test or dev).
  std::filesystem::path split_dir(const std::string& split) const { return splits() / split; }
  std::filesystem::path split_file(const std::string& split, std::int64_t client) const {
    return split_dir(split) / (client_name(client) + ".jsonl");
  }
  /// classification/{split}.jsonl (split: train, test or dev).
  std::filesystem::path classification_file(const std::string& split) const {
    return classification() / (split + ".jsonl");
  }
  /// stores/{name}/ids.txt and stores/{name}/faiss/ (`name` relative, e.g. "SPLIT/client_2").
  std::filesystem::path store_ids(const std::filesystem::path& name) const { return stores() / name / "ids.txt"; }
  std::filesystem::path store_index(const std::filesystem::path& name) const { return stores() / name / "faiss"; }

 private:
  std::filesystem::path root_;
};

}  // namespace corag
