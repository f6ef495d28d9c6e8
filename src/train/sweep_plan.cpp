#include "corag/train/sweep_plan.hpp"

#include <algorithm>
#include <cctype>

#include "corag/config/config_reader.hpp"
#include "corag/config/experiment_config.hpp"
#include "corag/config/store_variants.hpp"
#include "corag/crab/crab_config.hpp"
#include "corag/util/error.hpp"

namespace corag {

std::vector<ConfigProblem> SweepConfig::check() const {
  std::vector<ConfigProblem> problems;
  if (sweep.config.empty()) problems.push_back({"sweep.config", "the experiment config of the cells is required"});
  std::int64_t previous = 0;
  for (const auto& shots : sweep.shots) {
    const bool digits = !shots.empty() && shots.size() <= 9 &&
                        std::all_of(shots.begin(), shots.end(), [](unsigned char c) { return std::isdigit(c) != 0; });
    if (!digits || std::stoll(shots) <= previous) {
      problems.push_back({"sweep.shots", "expected ascending positive counts, got " + shots});
      break;
    }
    previous = std::stoll(shots);
  }
  const auto modes = enum_choices<TrainMode>();
  for (const auto& mode : sweep.closed_book_modes) {
    if (std::find(modes.begin(), modes.end(), mode) == modes.end()) {
      std::string list;
      for (const auto& choice : modes) list += (list.empty() ? "" : ", ") + choice;
      problems.push_back({"sweep.closed_book_modes", "unknown training mode " + mode + " (" + list + ")"});
    }
  }
  return problems;
}

namespace {

/// What every cell of a sweep is made from.
struct SweepBase {
  const SweepSettings& settings;
  const ExperimentConfig& experiment;
  const std::vector<std::string>& shots;
};

std::vector<std::string> shot_levels(const SweepSettings& settings) {
  if (!settings.shots.empty()) return settings.shots;
  CORAG_CHECK(!settings.crab.empty(),
              "the sweep config sets neither sweep.shots nor sweep.crab (whose "
              "splits.shots it would use)");
  return load_config<CrabConfig>(settings.crab, {}).splits.shots;
}

/// A folder name for a store variant or reader directory ("ablations/empty" -> "ablations-empty").
std::string name_part(const std::string& value) {
  auto part = std::filesystem::path(value).lexically_normal().string();
  while (!part.empty() && part.back() == '/') part.pop_back();
  if (part.find('/') != std::string::npos && !is_store_variant(part)) {
    part = std::filesystem::path(part).filename().string();
  }
  std::replace(part.begin(), part.end(), '/', '-');
  return part;
}

/// The `--set`s of one regime: its mode, and for local and centralized their schedule.
std::vector<std::string> regime_overrides(const SweepBase& base, TrainMode mode, const std::string& shots) {
  std::vector<std::string> out = {"train.mode=" + to_string(mode)};
  if (mode == TrainMode::collaborative) return out;
  if (base.settings.schedule == SweepSchedule::equal_epochs) {
    const auto& experiment = base.experiment;
    const auto epochs = experiment.federated.rounds * experiment.federated.local_epochs;
    const auto questions = std::stoll(shots) * (mode == TrainMode::local ? 1 : experiment.data.clients);
    const auto steps = epochs * ((questions + experiment.train.batch_size - 1) / experiment.train.batch_size);
    out.push_back("train.steps=" + std::to_string(steps));
    out.push_back("train.eval_every=" + std::to_string(std::max<std::int64_t>(1, steps / 2)));
  }
  out.insert(out.end(), base.settings.step_regime_overrides.begin(), base.settings.step_regime_overrides.end());
  return out;
}

SweepCell rag_cell(const SweepBase& base, const std::string& variant, const std::string& shots, TrainMode mode) {
  SweepCell cell{name_part(variant) + "-" + shots + "shot-" + to_string(mode),
                 {"data.shots=" + shots, "store.variant=" + variant}};
  const auto regime = regime_overrides(base, mode, shots);
  cell.overrides.insert(cell.overrides.end(), regime.begin(), regime.end());
  return cell;
}

/// The closed-book cells at `shots`: each reader (or the config's) in each closed-book mode. A
/// name carries the mode and the reader only where the sweep has several.
std::vector<SweepCell> closed_book_cells(const SweepBase& base, const std::string& shots) {
  std::vector<std::string> readers = base.settings.closed_book_readers;
  if (readers.empty()) readers.push_back("");
  std::vector<SweepCell> cells;
  for (const auto& reader : readers) {
    for (const auto& mode_name : base.settings.closed_book_modes) {
      const auto mode = enum_from_name<TrainMode>(mode_name, "sweep.closed_book_modes");
      auto cell = rag_cell(base, base.experiment.store.variant, shots, mode);
      cell.name = name_part(base.experiment.store.variant) + "-" + shots + "shot-closed-book";
      if (base.settings.closed_book_modes.size() > 1) cell.name += "-" + mode_name;
      if (!reader.empty()) {
        cell.name += "-" + name_part(reader);
        cell.overrides.push_back("model.reader=" + reader);
      }
      cell.overrides.push_back("model.retrieval=false");
      cells.push_back(std::move(cell));
    }
  }
  return cells;
}

const std::vector<TrainMode> kTrainedModes = {TrainMode::local, TrainMode::centralized, TrainMode::collaborative};

}  // namespace

SweepPlan plan_sweep(const SweepConfig& config, SweepExperiment experiment, const std::filesystem::path& sweep_dir) {
  const auto base = load_config<ExperimentConfig>(config.sweep.config, {});
  return plan_sweep(config.sweep, base, shot_levels(config.sweep), experiment, sweep_dir);
}

SweepPlan plan_sweep(const SweepSettings& settings, const ExperimentConfig& experiment_config,
                     const std::vector<std::string>& shots, SweepExperiment experiment,
                     const std::filesystem::path& sweep_dir) {
  CORAG_CHECK(!shots.empty(), "a sweep needs at least one shot level");
  const SweepBase base{settings, experiment_config, shots};
  const auto& many = base.shots.back();
  SweepPlan plan;
  std::vector<std::string> extra_overrides;  // the dev experiment's, on every cell
  switch (experiment) {
    case SweepExperiment::store_variants:
      for (const auto& variant : paper_store_variants()) {
        for (const auto mode : {TrainMode::local, TrainMode::collaborative})
          plan.cells.push_back(rag_cell(base, variant, many, mode));
      }
      break;
    case SweepExperiment::shots:
      for (const auto& shots : base.shots) {
        for (auto& cell : closed_book_cells(base, shots)) plan.cells.push_back(std::move(cell));
        for (const auto mode : kTrainedModes) plan.cells.push_back(rag_cell(base, "REL", shots, mode));
      }
      break;
    case SweepExperiment::dev:
      if (settings.dev_size > 0) {
        CORAG_CHECK(!settings.crab.empty(), "sweep.dev_size ", settings.dev_size,
                    " rebuilds the stores with the crab-build-stores config sweep.crab, which the sweep config "
                    "does not set");
        const auto crab_dir = (sweep_dir / "crab-dev").string();
        plan.stores_dir = crab_dir;
        plan.build_stores = {
            "--config",   settings.crab, "--set", "splits.dev_size=" + std::to_string(settings.dev_size),
            "--variants", "REL",         "--out", crab_dir};
        extra_overrides.push_back("data.crab_dir=" + crab_dir);
      }
      extra_overrides.push_back("eval.dev=true");
      for (auto& cell : closed_book_cells(base, many)) plan.cells.push_back(std::move(cell));
      for (const auto mode : kTrainedModes) plan.cells.push_back(rag_cell(base, "REL", many, mode));
      for (auto& cell : plan.cells) {
        cell.name += "-dev";
        cell.overrides.insert(cell.overrides.end(), extra_overrides.begin(), extra_overrides.end());
      }
      break;
    case SweepExperiment::store_composition: {
      CORAG_CHECK(!settings.crab.empty(),
                  "the store_composition sweep builds its ablation stores with the "
                  "crab-build-stores config sweep.crab, which the sweep config does not set");
      const auto crab_dir = (sweep_dir / "crab-ablations").string();
      plan.stores_dir = crab_dir;
      plan.build_stores = {"--config", settings.crab, "--variants", "REL,ablations", "--out", crab_dir};
      std::vector<std::string> stores = {"REL"};
      for (const auto& name : ablation_stores()) stores.push_back(kAblationsPrefix + name);
      for (const bool with_train_store : {false, true}) {
        for (const auto& store : stores) {
          auto cell = rag_cell(base, store, many, TrainMode::local);
          cell.name += with_train_store ? "-test+train-store" : "-test-store";
          cell.overrides.push_back("data.crab_dir=" + crab_dir);
          cell.overrides.push_back(std::string("eval.include_train_store=") + (with_train_store ? "true" : "false"));
          plan.cells.push_back(std::move(cell));
        }
      }
      break;
    }
  }
  return plan;
}

}  // namespace corag
