#pragma once

#include <vector>

#include <torch/types.h>

namespace corag {

/// FedAvg over simulated clients that take turns in one working model: the server keeps the
/// global weights and one running weighted sum (never a copy per client). Per round:
/// `begin_round(total)`, then per client `load_global()` → local training → `add_client(w)`,
/// then `finish_round()`, which makes the weighted mean the new global weights and loads it.
class FedAvgServer {
 public:
  /// `parameters`: the working model's trainable tensors; their current values become the
  /// global weights.
  explicit FedAvgServer(std::vector<torch::Tensor> parameters);

  /// Copies the global weights into the working model.
  void load_global();
  /// Starts a round whose clients' weights add up to `total_weight`.
  void begin_round(double total_weight);
  /// Adds the working model's weights with `weight` / total_weight to the running sum.
  void add_client(double weight);
  /// The running sum becomes the global weights (and is loaded into the working model).
  void finish_round();
  /// Makes the working model's current weights the global weights (after a resume).
  void take_global_from_model();

 private:
  std::vector<torch::Tensor> parameters_, global_, sum_;
  double total_weight_ = 0, added_weight_ = 0;
};

}  // namespace corag
