#pragma once

#include <string>
#include <vector>

#include <torch/types.h>

#include "corag/train/collective.hpp"

namespace corag {

/// FedAvg over clients that take turns in one working model per rank: the server keeps the
/// global weights and one running weighted sum (never a copy per client), in one flat fp64
/// buffer so that a distributed round is a single all-reduce. The sum is rounded to the
/// weights' fp32 once, at the end: fp32 sums in another order (N ranks, ring all-reduce) give
/// weights 1e-7 apart, which flip near-tied retrievals, so N ranks would not reproduce one
/// process; in fp64 the rounded mean is the same for any N. Per round:
/// `begin_round(total)`, then per client of this rank `load_global()` → local training →
/// `add_client(w)`, then `finish_round(collective, what)`: the ranks' sums are added up, the
/// weighted mean becomes the new global weights and is loaded.
class FedAvgServer {
 public:
  /// `parameters`: the working model's trainable tensors; their current values become the
  /// global weights.
  explicit FedAvgServer(std::vector<torch::Tensor> parameters);

  /// Copies the global weights into the working model.
  void load_global();
  /// Starts a round whose clients' weights (on all ranks) add up to `total_weight`.
  void begin_round(double total_weight);
  /// Adds the working model's weights with `weight` / total_weight to the running sum.
  void add_client(double weight);
  /// The running sums of all ranks, added up, become the global weights (and are loaded into the
  /// working model); every client of the round must have been added on some rank. `what` names
  /// the round in errors.
  void finish_round(Collective& collective, const std::string& what);
  /// Bytes of the buffer a round all-reduces: the trainable weights in fp64, and the clients'
  /// added share.
  std::int64_t round_bytes() const;
  /// Makes the working model's current weights the global weights (after a resume).
  void take_global_from_model();

 private:
  std::vector<torch::Tensor> parameters_, global_;
  torch::Tensor sum_;                     ///< [sum of numel + 1] fp64: the weights, then the added share
  std::vector<torch::Tensor> sum_views_;  ///< per parameter, a view of sum_ in its shape
  double total_weight_ = 0;
};

}  // namespace corag
