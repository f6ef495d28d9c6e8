#pragma once

#include <cstdint>
#include <vector>

#include <torch/types.h>

#include "corag/config/experiment_config.hpp"
#include "corag/models/fid_reader.hpp"
#include "corag/store/dense_store.hpp"

namespace corag {

/// The top-k passages of a batch of questions, each question searched in its own store.
struct RetrievedPassages {
  std::vector<std::vector<ReaderPassage>> passages;  ///< per question, best first (< k when the store is small)
  std::vector<std::vector<std::uint64_t>> rows;      ///< root-table rows of those passages
  torch::Tensor embeddings;  ///< [batch, k, dim] float32 passage embeddings on the device, zero in empty slots
  torch::Tensor mask;        ///< [batch, k] bool: which slots hold a passage
};

/// The text the query encoder embeds for `question` (model.retriever_query): the reader's query
/// `question: {q} answer: <extra_id_0>` as Atlas embeds it, or the raw question. Training
/// search, the distillation score and evaluation all use it.
std::string retriever_query_text(const ModelConfig& config, const std::string& question);

/// Searches each question's store (`stores[i]`) with its query vector (`queries` [batch, dim],
/// no gradient) and reads the hits' passages. With `with_embeddings`, also gathers the hits'
/// stored passage embeddings, so that training can recompute q·p with gradient through the
/// query encoder only. Questions sharing a store are searched together; a question whose store
/// is null (an empty train store) gets no passage.
RetrievedPassages retrieve_passages(const torch::Tensor& queries, const std::vector<const DenseStore*>& stores,
                                    std::size_t k, const torch::Device& device, torch::ScalarType compute_dtype,
                                    bool with_embeddings);

}  // namespace corag
