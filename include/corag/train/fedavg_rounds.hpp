#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "corag/config/experiment_config.hpp"
#include "corag/config/runtime.hpp"
#include "corag/train/collective.hpp"
#include "corag/train/crab_clients.hpp"
#include "corag/train/epoch_sampler.hpp"
#include "corag/train/fedavg_server.hpp"
#include "corag/train/loss_means.hpp"
#include "corag/train/rag_model.hpp"
#include "corag/train/rag_stepper.hpp"
#include "corag/train/training_steps.hpp"

namespace corag {

/// A client of collaborative training: its questions (each with the client's train store) in
/// the data order of its own seed, its weight in the round's mean, and the rank that trains it
/// (in a one-process run every client trains in the process, rank 0).
struct FederatedClient {
  const CrabClient* crab = nullptr;
  std::vector<TrainExample> examples;
  EpochSampler sampler;
  double weight = 1;
  int rank = 0;
};

/// What a FedAvg round did, on every rank: the clients' losses and their scalars.csv rows (in a
/// one-process run's order: client by client), and this rank's communication.
struct RoundResult {
  std::map<int, LossMeans> losses;  ///< by client index
  std::vector<std::string> scalars;
  CommTraffic traffic_at_start;  ///< this rank's payload counters when the round began
  double aggregation_s = 0;      ///< this rank's seconds in the FedAvg aggregation
};

/// The rounds of collaborative training (paper §3.2; Atlas-style FedAvg): each round's clients
/// are sampled, each trains from the global weights for federated.local_epochs on its rank,
/// with an optimizer of its own (FedAvg clients keep no state between rounds) whose linear decay
/// spans the client's steps of the whole run, and their weighted mean becomes the global weights
/// of `model` on every rank (FedAvgServer: one all-reduce).
class FedAvgRounds {
 public:
  FedAvgRounds(RagModel& model, std::vector<FederatedClient> clients, const ExperimentConfig& config,
               const Runtime& runtime, Collective& collective, TrainingSteps& steps);

  /// The training steps this rank takes in rounds [0, `rounds`).
  std::uint64_t steps_on_this_rank(std::int64_t rounds) const;
  /// Runs round `round` (0-based) on every rank. With `client_models` not empty, each client's
  /// model after its training is saved to `client_models/client_N` by its rank.
  RoundResult run(std::int64_t round, const std::filesystem::path& client_models);

 private:
  /// The positions in clients_ of round `round`'s clients (0-based), in index order: all of
  /// them, or federated.clients_per_round (else client_fraction) drawn with the round's seed.
  std::vector<std::size_t> sampled(std::int64_t round) const;
  std::int64_t round_steps(const FederatedClient& client) const;

  RagModel& model_;
  std::vector<FederatedClient> clients_;
  const ExperimentConfig& config_;
  const Runtime& runtime_;
  Collective& collective_;
  TrainingSteps& steps_;
  FedAvgServer server_;
};

}  // namespace corag
