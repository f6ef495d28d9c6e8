#pragma once

#include <cstdint>

#include <nlohmann/json.hpp>

#include "corag/train/rag_stepper.hpp"

namespace corag {

/// The mean losses of a client's (or the run's) training steps since its last eval point, as
/// metrics.jsonl records carry them.
struct LossMeans {
  double reader = 0, retriever = 0;
  std::int64_t steps = 0;

  void add(const StepLosses& losses) {
    reader += losses.reader;
    retriever += losses.retriever;
    ++steps;
  }
  /// The record's fields: loss_reader, loss_retriever (the means) and train_steps.
  nlohmann::json json() const {
    const double n = steps > 0 ? static_cast<double>(steps) : 1.0;
    return {{"loss_reader", reader / n}, {"loss_retriever", retriever / n}, {"train_steps", steps}};
  }
  /// The sums themselves, to be sent to another rank (JSON keeps doubles exactly).
  nlohmann::json sums() const { return {{"reader", reader}, {"retriever", retriever}, {"steps", steps}}; }
  static LossMeans from_sums(const nlohmann::json& sums) {
    return {sums.at("reader").get<double>(), sums.at("retriever").get<double>(), sums.at("steps").get<std::int64_t>()};
  }
};

}  // namespace corag
