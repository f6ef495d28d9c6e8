#include "corag/train/passage_retrieval.hpp"

#include <map>

#include "corag/util/error.hpp"

namespace corag {

std::string retriever_query_text(const ModelConfig& config, const std::string& question) {
  return config.retriever_query == RetrieverQuery::reader ? FidReader::query_text(question) : question;
}

RetrievedPassages retrieve_passages(const torch::Tensor& queries, const std::vector<const DenseStore*>& stores,
                                    std::size_t k, const torch::Device& device, torch::ScalarType compute_dtype,
                                    bool with_embeddings) {
  const auto batch = stores.size();
  CORAG_CHECK(queries.dim() == 2 && static_cast<std::size_t>(queries.size(0)) == batch, "retrieval: queries ",
              queries.sizes(), " do not match ", batch, " questions");
  std::map<const DenseStore*, std::vector<std::size_t>> questions_of;
  for (std::size_t i = 0; i < batch; ++i) {
    if (stores[i] != nullptr) questions_of[stores[i]].push_back(i);
  }
  RetrievedPassages out;
  out.passages.resize(batch);
  out.rows.resize(batch);
  const auto detached = queries.detach();
  for (const auto& [store, members] : questions_of) {
    const auto index = torch::tensor(std::vector<std::int64_t>(members.begin(), members.end()),
                                     torch::TensorOptions().dtype(torch::kInt64).device(detached.device()));
    const auto hits = store->top_k(detached.index_select(0, index).to(torch::kFloat32), k, device, compute_dtype);
    for (std::size_t m = 0; m < members.size(); ++m) {
      const auto question = members[m];
      for (const auto& hit : hits[m]) {
        const auto passage = store->table().at(hit.row);
        out.passages[question].push_back({std::string(passage.title), std::string(passage.text)});
        out.rows[question].push_back(hit.row);
      }
    }
  }
  const auto slots = static_cast<std::int64_t>(k);
  auto mask = torch::zeros({static_cast<std::int64_t>(batch), slots}, torch::kBool);
  for (std::size_t i = 0; i < batch; ++i) {
    mask[static_cast<std::int64_t>(i)].narrow(0, 0, static_cast<std::int64_t>(out.rows[i].size())).fill_(true);
  }
  out.mask = mask.to(device);
  if (with_embeddings) {
    const auto dim = queries.size(1);
    auto embeddings = torch::zeros({static_cast<std::int64_t>(batch), slots, dim}, torch::kFloat32);
    for (const auto& [store, members] : questions_of) {
      for (const auto question : members) {
        const auto& rows = out.rows[question];
        if (rows.empty()) continue;
        embeddings[static_cast<std::int64_t>(question)]
            .narrow(0, 0, static_cast<std::int64_t>(rows.size()))
            .copy_(store->row_embeddings(rows));
      }
    }
    out.embeddings = embeddings.to(device);
  }
  return out;
}

}  // namespace corag
