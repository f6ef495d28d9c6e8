#include "corag/train/training_steps.hpp"

#include <cstdio>

#include <torch/optim/adamw.h>

#include "corag/util/error.hpp"
#include "corag/util/rng.hpp"

namespace corag {

TrainingSteps::TrainingSteps(std::uint64_t seed) : seed_(seed) {}

void TrainingSteps::start(std::uint64_t total, std::uint64_t done_before) { progress_.emplace(total, done_before); }

StepLosses TrainingSteps::take(RagStepper& stepper, const std::vector<TrainExample>& batch, std::int64_t step,
                               const std::string& who, std::int64_t round) {
  CORAG_CHECK(progress_.has_value(), "TrainingSteps: start() before the first step");
  try {
    const auto losses = stepper.step(batch, step, derive_seed(seed_, "step/" + who + "/" + std::to_string(step)));
    progress_->advance();
    const auto& groups = stepper.optimizer().param_groups();
    const auto rate = [&](std::size_t group) {
      return group < groups.size() ? static_cast<const torch::optim::AdamWOptions&>(groups[group].options()).get_lr()
                                   : 0.0;
    };
    char line[256];
    std::snprintf(line, sizeof line, "%s,%s,%lld,%.9g,%.9g,%.9g,%.9g,%.9g", who.c_str(),
                  round > 0 ? std::to_string(round).c_str() : "", static_cast<long long>(step + 1), losses.reader,
                  losses.retriever, rate(0), rate(1), stepper.last_gradient_norm());
    scalars_.emplace_back(line);
    return losses;
  } catch (const Error& error) {
    throw Error(std::string(error.what()) + " [" + who + "; the last good checkpoint is kept]");
  }
}

std::string TrainingSteps::status(const StepLosses& losses) const {
  char text[64];
  std::snprintf(text, sizeof text, "loss %.4f  retriever %.4f", losses.reader, losses.retriever);
  return std::string(text) + "  " + (progress_ ? progress_->status() : std::string());
}

std::vector<std::string> TrainingSteps::take_scalars() {
  std::vector<std::string> taken;
  taken.swap(scalars_);
  return taken;
}

}  // namespace corag
