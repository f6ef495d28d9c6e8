#include "corag/train/fedavg_server.hpp"

#include <cmath>

#include "corag/util/error.hpp"

namespace corag {

FedAvgServer::FedAvgServer(std::vector<torch::Tensor> parameters) : parameters_(std::move(parameters)) {
  take_global_from_model();
}

void FedAvgServer::take_global_from_model() {
  torch::NoGradGuard no_grad;
  global_.clear();
  for (const auto& parameter : parameters_) global_.push_back(parameter.detach().clone());
}

void FedAvgServer::load_global() {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < parameters_.size(); ++i) parameters_[i].copy_(global_[i]);
}

std::int64_t FedAvgServer::round_bytes() const {
  std::int64_t elements = 1;
  for (const auto& parameter : parameters_) elements += parameter.numel();
  return elements * static_cast<std::int64_t>(sizeof(double));
}

void FedAvgServer::begin_round(double total_weight) {
  CORAG_CHECK(total_weight > 0, "FedAvg round with total client weight ", total_weight);
  CORAG_CHECK(!parameters_.empty(), "FedAvg over a model without trainable weights");
  torch::NoGradGuard no_grad;
  total_weight_ = total_weight;
  sum_ = torch::zeros({round_bytes() / static_cast<std::int64_t>(sizeof(double))},
                      parameters_.front().options().dtype(torch::kFloat64));
  sum_views_.clear();
  std::int64_t offset = 0;
  for (const auto& parameter : parameters_) {
    sum_views_.push_back(sum_.narrow(0, offset, parameter.numel()).view(parameter.sizes()));
    offset += parameter.numel();
  }
}

void FedAvgServer::add_client(double weight) {
  CORAG_CHECK(sum_.defined(), "FedAvg: add_client outside a round");
  torch::NoGradGuard no_grad;
  const double share = weight / total_weight_;
  // In place, promoting each value to fp64 on the way (no fp64 copy of the model).
  for (std::size_t i = 0; i < parameters_.size(); ++i) sum_views_[i].add_(parameters_[i], share);
  sum_[-1].add_(share);
}

void FedAvgServer::finish_round(Collective& collective, const std::string& what) {
  CORAG_CHECK(sum_.defined(), "FedAvg: finish_round outside a round");
  torch::NoGradGuard no_grad;
  collective.all_reduce_sum(sum_, what);
  // The shares of all the round's clients add up to 1: a client no rank trained would make the
  // mean a smaller one.
  const auto shares = sum_[-1].item<double>();
  CORAG_CHECK(std::abs(shares - 1.0) <= 1e-9, what, ": the ranks' clients added ", shares,
              " of the round's total client weight; every client must be trained on exactly one rank");
  for (std::size_t i = 0; i < parameters_.size(); ++i) global_[i].copy_(sum_views_[i]);
  sum_ = torch::Tensor();
  sum_views_.clear();
  load_global();
}

}  // namespace corag
