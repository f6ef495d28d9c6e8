#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "corag/config/enum_names.hpp"
#include "corag/config/field_rules.hpp"

namespace corag {

struct ExperimentConfig;

/// The paper's experiments, each a grid of `corag train` runs (scripts/sweeps/):
/// - store_variants: tables 1 and 6, figure 2: every store variant x local, collaborative;
/// - store_composition: tables 2 and 5: local RAG on REL and each ablation store, scored on the
///   test store alone and on test + train stores;
/// - shots: table 3, figure 1: every shot level x closed-book, local, centralized, collaborative;
/// - dev: table 4: RAG and the closed-book models x centralized, local, collaborative, with
///   model selection on each client's dev split.
enum class SweepExperiment { store_variants, store_composition, shots, dev };
inline const EnumNames<SweepExperiment>& enum_names(SweepExperiment) {
  static const EnumNames<SweepExperiment> names = {{SweepExperiment::store_variants, "store_variants"},
                                                   {SweepExperiment::store_composition, "store_composition"},
                                                   {SweepExperiment::shots, "shots"},
                                                   {SweepExperiment::dev, "dev"}};
  return names;
}

/// How long the local and centralized cells train:
/// - config: the experiment config's train.steps, as the paper does (appendix B: 1000 steps);
/// - equal_epochs: as many passes over their questions as collaborative's rounds x local
///   epochs (a local client sees `shots` questions, a centralized run clients x shots), evaluated
///   twice; the demo's rule, which keeps its tiny runs comparable.
enum class SweepSchedule { config, equal_epochs };
inline const EnumNames<SweepSchedule>& enum_names(SweepSchedule) {
  static const EnumNames<SweepSchedule> names = {{SweepSchedule::config, "config"},
                                                 {SweepSchedule::equal_epochs, "equal_epochs"}};
  return names;
}

/// A sweep config's one section, `sweep` (configs/sweeps/paper.yaml; `corag demo` writes one
/// for its world to OUT/configs/sweep.yaml).
struct SweepSettings {
  std::string config;  ///< the experiment config every cell starts from (models, data.crab_dir, store, schedule)
  /// The crab-build-stores config that built config's data.crab_dir: store_composition builds the
  /// ablation stores from it again (same splits) into the sweep's own folder.
  std::string crab;
  /// Table 3's shot levels, ascending; the other tables use the last. Empty: the crab config's splits.shots.
  std::vector<std::string> shots;
  /// The closed-book (parametric) models of tables 3 and 4, HF reader directories (T5-base,
  /// Flan-T5-base). Empty: closed-book with the config's own reader.
  std::vector<std::string> closed_book_readers;
  /// The regimes closed-book models are trained in (tables 3 and 4 train them in all three).
  std::vector<std::string> closed_book_modes = {"centralized", "local", "collaborative"};
  SweepSchedule schedule = SweepSchedule::config;
  /// The dev experiment's dev questions per CRAB build: 0 evaluates on the dev split of config's
  /// data.crab_dir; N > 0 builds REL again from `crab` with splits.dev_size N into the sweep's
  /// folder (for a crab_dir built without dev, as the demo's: dev is drawn from the train pool
  /// before the training questions, so that build's clients train on other questions).
  std::int64_t dev_size = 0;
  /// `--set`s for the local and centralized cells only (appendix B: local training warms up
  /// for 20 steps, collaborative not at all).
  std::vector<std::string> step_regime_overrides;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.path("config", config);
    v.path("crab", crab);
    v.field("shots", shots);
    v.path("closed_book_readers", closed_book_readers);
    v.field("closed_book_modes", closed_book_modes);
    v.field("schedule", schedule);
    v.field("dev_size", dev_size, between(0, 1e9));
    v.field("step_regime_overrides", step_regime_overrides);
  }
};

struct SweepConfig {
  SweepSettings sweep;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.section("sweep", sweep);
  }
  std::vector<ConfigProblem> check() const;
};

/// One cell of a sweep: a run name and the `--set`s that make it from the sweep's experiment config.
struct SweepCell {
  std::string name;  ///< "REL-64shot-collaborative", "closed-book-16shot-local-flan-t5-base", ...
  std::vector<std::string> overrides;
};

/// What a sweep runs: the stores to build first into `stores_dir` (crab-build-stores' arguments
/// after the tool name; empty when the experiment config's data.crab_dir has every store), then
/// its cells. store_composition builds SWEEP/crab-ablations, dev SWEEP/crab-dev.
struct SweepPlan {
  std::filesystem::path stores_dir;
  std::vector<std::string> build_stores;
  std::vector<SweepCell> cells;
};

/// The cells of `experiment` from `settings`, with the experiment config `settings.config`
/// already loaded as `base` and the shot levels resolved; extra stores go under `sweep_dir`.
SweepPlan plan_sweep(const SweepSettings& settings, const ExperimentConfig& base, const std::vector<std::string>& shots,
                     SweepExperiment experiment, const std::filesystem::path& sweep_dir);

/// As above, reading the experiment config (and the crab config when sweep.shots is empty);
/// errors name the file at fault.
SweepPlan plan_sweep(const SweepConfig& config, SweepExperiment experiment, const std::filesystem::path& sweep_dir);

}  // namespace corag
