#pragma once

#include <memory>
#include <string>
#include <vector>

#include "corag/dist/rank_environment.hpp"
#include "corag/train/collective.hpp"

namespace corag {

/// A training run's collectives over torch's c10d: a TCPStore on rank 0 for the rendezvous and
/// for the ranks' announcements, and a Gloo process group (CPU tensors; CUDA tensors where
/// LibTorch's Gloo was built with CUDA) for the all-reduce and all-gather. Every wait is bounded
/// by the environment's timeout; a failed or timed-out collective throws corag::Error naming
/// this rank, the step, the cause and what each other rank last announced it was doing.
class ProcessGroupCollective final : public Collective {
 public:
  /// Joins the run: rank 0 listens on master_port, every rank connects to it, then the process
  /// group connects the ranks to each other. A port in use, an unreachable master or a rank
  /// that does not join within the timeout is an error naming the address and port.
  explicit ProcessGroupCollective(const RankEnvironment& environment);
  ~ProcessGroupCollective() override;
  ProcessGroupCollective(const ProcessGroupCollective&) = delete;
  ProcessGroupCollective& operator=(const ProcessGroupCollective&) = delete;

  int rank() const override;
  int world_size() const override;
  void all_reduce_sum(torch::Tensor& buffer, const std::string& what) override;
  std::vector<std::string> all_gather(const std::string& text, const std::string& what) override;
  void announce(const std::string& doing) override;
  CommTraffic traffic() const override;

 private:
  struct Groups;
  std::unique_ptr<Groups> groups_;
  RankEnvironment environment_;
  CommTraffic traffic_;
};

}  // namespace corag
