#include "corag/train/fedavg_rounds.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include <spdlog/spdlog.h>

#include "corag/train/gather_json.hpp"
#include "corag/train/linear_schedule.hpp"
#include "corag/util/progress_bar.hpp"
#include "corag/util/rng.hpp"

namespace corag {

FedAvgRounds::FedAvgRounds(RagModel& model, std::vector<FederatedClient> clients, const ExperimentConfig& config,
                           const Runtime& runtime, Collective& collective, TrainingSteps& steps)
    : model_(model),
      clients_(std::move(clients)),
      config_(config),
      runtime_(runtime),
      collective_(collective),
      steps_(steps),
      server_(model.trainable_parameters()) {}

std::vector<std::size_t> FedAvgRounds::sampled(std::int64_t round) const {
  const auto total = clients_.size();
  std::size_t count = total;
  if (config_.federated.clients_per_round > 0) {
    count = static_cast<std::size_t>(config_.federated.clients_per_round);
  } else if (config_.federated.client_fraction < 1.0) {
    count = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::llround(config_.federated.client_fraction * static_cast<double>(total))));
  }
  std::vector<std::size_t> order(total);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (count < total) {
    Rng rng(derive_seed(runtime_.seed, "federated/round" + std::to_string(round)));
    rng.shuffle(order);
    order.resize(count);
    std::sort(order.begin(), order.end());
  }
  return order;
}

std::int64_t FedAvgRounds::round_steps(const FederatedClient& client) const {
  return config_.federated.local_epochs * static_cast<std::int64_t>(client.sampler.steps_per_epoch());
}

std::uint64_t FedAvgRounds::steps_on_this_rank(std::int64_t rounds) const {
  std::uint64_t steps = 0;
  for (std::int64_t round = 0; round < rounds; ++round) {
    for (const auto position : sampled(round)) {
      const auto& client = clients_[position];
      if (client.rank == collective_.rank()) steps += static_cast<std::uint64_t>(round_steps(client));
    }
  }
  return steps;
}

RoundResult FedAvgRounds::run(std::int64_t round, const std::filesystem::path& client_models) {
  const auto rounds = config_.federated.rounds;
  const auto chosen = sampled(round);
  const auto round_name = "round " + std::to_string(round + 1);
  RoundResult result;
  result.traffic_at_start = collective_.traffic();
  double total_weight = 0;
  for (const auto position : chosen) total_weight += clients_[position].weight;
  server_.begin_round(total_weight);
  nlohmann::json trained = nlohmann::json::object();  // this rank's clients: losses and scalars.csv rows
  for (const auto position : chosen) {
    auto& client = clients_[position];
    if (client.rank != collective_.rank()) continue;
    const auto index = client.crab->index;
    collective_.announce(round_name + ": training client " + std::to_string(index));
    server_.load_global();
    const auto steps = round_steps(client);
    RagStepper stepper(model_, config_, runtime_,
                       LinearSchedule(config_.train.warmup_steps, rounds * steps, config_.train.lr_floor_ratio));
    const std::string who = "client" + std::to_string(index);
    ProgressBar progress(round_name + "/" + std::to_string(rounds) + " client " + std::to_string(index),
                         static_cast<std::uint64_t>(steps), "steps");
    LossMeans losses;
    for (std::int64_t local = 0; local < steps; ++local) {
      const auto step = round * steps + local;
      std::vector<TrainExample> batch;
      for (const auto example : client.sampler.batch(step)) batch.push_back(client.examples[example]);
      const auto step_losses = steps_.take(stepper, batch, step, who, round + 1);
      losses.add(step_losses);
      progress.set_status(steps_.status(step_losses));
      progress.advance();
    }
    progress.finish();
    trained[std::to_string(index)] = {{"losses", losses.sums()}, {"scalars", steps_.take_scalars()}};
    if (!client_models.empty()) model_.save(client_models / ("client_" + std::to_string(index)));
    server_.add_client(client.weight);
  }
  const auto aggregation = round_name + ": FedAvg aggregation";
  collective_.announce(aggregation);
  const auto aggregation_start = std::chrono::steady_clock::now();
  server_.finish_round(collective_, aggregation);
  result.aggregation_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - aggregation_start).count();
  spdlog::info("{}: aggregated {} clients in {:.2f}s", round_name, chosen.size(), result.aggregation_s);
  // The clients' losses and scalars.csv rows, from the ranks that trained them, in the order a
  // one-process run has them.
  const auto gathering = round_name + ": gathering the clients' losses";
  std::map<int, nlohmann::json> scalars;
  for (const auto& rank_trained : gather_json(collective_, trained, gathering)) {
    for (const auto& [index, client] : rank_trained.items()) {
      result.losses[std::stoi(index)] = LossMeans::from_sums(client.at("losses"));
      scalars[std::stoi(index)] = client.at("scalars");
    }
  }
  for (const auto position : chosen) {
    for (const auto& row : scalars.at(clients_[position].crab->index)) result.scalars.push_back(row.get<std::string>());
  }
  return result;
}

}  // namespace corag
