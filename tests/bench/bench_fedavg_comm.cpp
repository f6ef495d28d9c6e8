// FedAvg aggregation across processes on this machine (c10d, Gloo over 127.0.0.1): the round
// time and each rank's payload for the weights corag averages with t5-base + bert-base (the
// whole reader and the query encoder, 333 M fp32 values), at N ranks of one client each:
//   bench_fedavg_comm [rounds] [N ...]      (default: 3 rounds, N = 2 and 4)
// It starts itself as N rank processes (as `corag train --nproc N` does); each builds the two
// models with random weights, then times `rounds` FedAvg rounds (begin, load the global weights,
// add its client, all-reduce). Rank 0 prints one line per round.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <torch/torch.h>

#include "corag/dist/local_ranks.hpp"
#include "corag/dist/process_group_collective.hpp"
#include "corag/models/bert_model.hpp"
#include "corag/models/t5_model.hpp"
#include "corag/train/fedavg_server.hpp"
#include "corag/util/command_line.hpp"

namespace {

void rank_rounds(int rounds) {
  const auto environment = corag::rank_environment({});
  corag::ProcessGroupCollective collective(*environment);
  torch::manual_seed(environment->rank);
  const corag::T5Model reader(corag::T5Config{});
  const corag::BertModel query_encoder(corag::BertConfig{});
  auto parameters = reader->parameters();
  for (const auto& parameter : query_encoder->parameters()) parameters.push_back(parameter);
  corag::FedAvgServer server(parameters);
  const auto world = collective.world_size();
  for (int round = 1; round <= rounds; ++round) {
    const auto before = collective.traffic();
    const auto start = std::chrono::steady_clock::now();
    server.begin_round(world);
    server.load_global();
    server.add_client(1);
    const auto aggregation_start = std::chrono::steady_clock::now();
    server.finish_round(collective, "bench round " + std::to_string(round));
    const auto end = std::chrono::steady_clock::now();
    const auto after = collective.traffic();
    if (collective.rank() == 0) {
      std::printf(
          "N=%d round %d: %.2f s, of which %.2f s the all-reduce and new global weights; %.1f M values; rank 0 "
          "sent %.1f MB, received %.1f MB (payload)\n",
          world, round, std::chrono::duration<double>(end - start).count(),
          std::chrono::duration<double>(end - aggregation_start).count(),
          static_cast<double>(server.round_bytes()) / 8e6,
          static_cast<double>(after.sent_bytes - before.sent_bytes) / 1e6,
          static_cast<double>(after.received_bytes - before.received_bytes) / 1e6);
      std::fflush(stdout);
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const int rounds = argc > 1 ? std::atoi(argv[1]) : 3;
    torch::set_num_threads(1);
    if (std::getenv("RANK") != nullptr) {
      rank_rounds(rounds);
      return 0;
    }
    std::vector<int> sizes;
    for (int i = 2; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
    if (sizes.empty()) sizes = {2, 4};
    for (const int nproc : sizes) {
      corag::LocalRanksLaunch launch;
      launch.nproc = nproc;
      launch.grace = std::chrono::seconds(600);
      corag::run_local_ranks({argv[0], std::to_string(rounds)}, launch);
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "error: %s\n", error.what());
    return 1;
  }
  return 0;
}
