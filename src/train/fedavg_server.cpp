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

void FedAvgServer::begin_round(double total_weight) {
  CORAG_CHECK(total_weight > 0, "FedAvg round with total client weight ", total_weight);
  torch::NoGradGuard no_grad;
  total_weight_ = total_weight;
  added_weight_ = 0;
  sum_.clear();
  for (const auto& parameter : parameters_) sum_.push_back(torch::zeros_like(parameter, torch::kFloat32));
}

void FedAvgServer::add_client(double weight) {
  CORAG_CHECK(!sum_.empty(), "FedAvg: add_client outside a round");
  torch::NoGradGuard no_grad;
  const double share = weight / total_weight_;
  for (std::size_t i = 0; i < parameters_.size(); ++i) sum_[i].add_(parameters_[i].to(torch::kFloat32), share);
  added_weight_ += weight;
}

void FedAvgServer::finish_round() {
  CORAG_CHECK(!sum_.empty() && std::abs(added_weight_ - total_weight_) <= 1e-9 * total_weight_,
              "FedAvg: the round's clients added weight ", added_weight_, " of ", total_weight_);
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < parameters_.size(); ++i) global_[i].copy_(sum_[i]);
  sum_.clear();
  load_global();
}

}  // namespace corag
