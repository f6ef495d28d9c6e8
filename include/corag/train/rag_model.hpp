#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "corag/config/experiment_config.hpp"
#include "corag/models/fid_reader.hpp"
#include "corag/models/retriever.hpp"

namespace corag {

/// What CoRAG trains: a T5 Fusion-in-Decoder reader and, unless closed-book, a Contriever
/// retriever fine-tuned on the query side (its passage encoder frozen, so stores embedded once
/// stay valid). Weights are fp32 on the device; bf16 comes from autocast.
class RagModel {
 public:
  /// Loads the reader and, when `retriever_dir` is not empty, the retriever. The dropout of the
  /// reader and the query encoder becomes `config.dropout` (Atlas's --dropout).
  static RagModel load(const std::filesystem::path& reader_dir, const std::filesystem::path& retriever_dir,
                       const ModelConfig& config, const torch::Device& device);

  FidReader& reader() { return reader_; }
  bool has_retriever() const { return retriever_.has_value(); }
  /// The retriever; an error in a closed-book model.
  Retriever& retriever();

  /// What the optimizer updates and FedAvg averages, in a fixed order: the reader's parameters,
  /// then the query encoder's.
  std::vector<torch::Tensor> trainable_parameters();

  void train(bool on);
  /// `dir/reader` and (with a retriever) `dir/retriever`, both in the HF layout.
  void save(const std::filesystem::path& dir);

 private:
  RagModel(FidReader reader, std::optional<Retriever> retriever);

  FidReader reader_;
  std::optional<Retriever> retriever_;
};

}  // namespace corag
