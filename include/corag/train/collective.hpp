#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <torch/types.h>

namespace corag {

/// What one rank put into collectives and got out of them, in bytes of payload (the tensors
/// and texts themselves). The wire traffic of Gloo's ring all-reduce is about 2 (N - 1) / N
/// times the buffer on each rank; payload is what the run can count without the transport.
struct CommTraffic {
  std::uint64_t sent_bytes = 0, received_bytes = 0;
};

/// The ranks a training run is spread over, as training sees them: the run is the same program
/// on every rank, and these are the points where the ranks meet. Training never needs to know
/// whether a run is distributed; with one rank every operation returns its input
/// (SingleProcessCollective). The process-group implementation is in dist/.
class Collective {
 public:
  virtual ~Collective() = default;

  virtual int rank() const = 0;
  virtual int world_size() const = 0;
  /// Sums `buffer` (a contiguous fp32 or fp64 tensor of any shape) elementwise over the ranks in
  /// place; every rank gets the sum. `what` names the step in errors ("round 3: FedAvg
  /// aggregation").
  virtual void all_reduce_sum(torch::Tensor& buffer, const std::string& what) = 0;
  /// Every rank's `text`, in rank order, on every rank.
  virtual std::vector<std::string> all_gather(const std::string& text, const std::string& what) = 0;
  /// Tells the other ranks what this one is doing, so that their error names it when this rank
  /// dies or hangs ("round 2: training client 3").
  virtual void announce(const std::string& doing) = 0;
  /// Payload counted since the rank joined.
  virtual CommTraffic traffic() const = 0;

  bool is_writer() const { return rank() == 0; }
};

/// The run in one process: rank 0 of 1.
class SingleProcessCollective final : public Collective {
 public:
  int rank() const override { return 0; }
  int world_size() const override { return 1; }
  void all_reduce_sum(torch::Tensor&, const std::string&) override {}
  std::vector<std::string> all_gather(const std::string& text, const std::string&) override { return {text}; }
  void announce(const std::string&) override {}
  CommTraffic traffic() const override { return {}; }
};

}  // namespace corag
