#include "corag/config/experiment_config.hpp"

#include "corag/config/store_variants.hpp"
#include "corag/util/device_spec.hpp"

namespace corag {
std::vector<ConfigProblem> ExperimentConfig::check() const {
  std::vector<ConfigProblem> problems;
  if (!is_device_spec(runtime.device)) {
    problems.push_back({"runtime.device", "must be cpu, cuda, cuda:N or auto, got '" + runtime.device + "'"});
  }
  if (!is_store_variant(store.variant)) {
    problems.push_back(
        {"store.variant", "must be " + store_variant_list(", ") + " or ablations/<name>, got '" + store.variant + "'"});
  }
  if (store.index.empty()) problems.push_back({"store.index", "must name a FAISS index factory (e.g. Flat)"});
  if (train.micro_batch_size > train.batch_size) {
    problems.push_back(
        {"train.micro_batch_size", "must not exceed train.batch_size (" + std::to_string(train.batch_size) + ")"});
  } else if (train.micro_batch_size > 0 && train.batch_size % train.micro_batch_size != 0) {
    problems.push_back(
        {"train.micro_batch_size", "must divide train.batch_size (" + std::to_string(train.batch_size) + ")"});
  }
  if (federated.clients_per_round > 0 && federated.client_fraction != 1.0) {
    problems.push_back({"federated.clients_per_round", "set either clients_per_round or client_fraction, not both"});
  }
  if (eval.include_train_store && !model.retrieval) {
    problems.push_back({"eval.include_train_store", "needs model.retrieval: a closed-book model reads no store"});
  }
  if (federated.clients_per_round > data.clients) {
    problems.push_back({"federated.clients_per_round", "exceeds data.clients (" + std::to_string(data.clients) + ")"});
  }
  return problems;
}

std::vector<InputPath> ExperimentConfig::input_paths() const {
  std::vector<InputPath> inputs = {{"model.reader", model.reader, InputKind::directory},
                                   {"data.crab_dir", data.crab_dir, InputKind::directory}};
  if (model.retrieval) {
    inputs.push_back({"model.retriever", model.retriever, InputKind::directory});
    inputs.push_back({"store.embeddings", store.embeddings, InputKind::directory});
  }
  return inputs;
}

}  // namespace corag
