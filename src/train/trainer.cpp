#include "corag/train/trainer.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include <spdlog/spdlog.h>

#include "corag/config/config_diff.hpp"
#include "corag/config/config_writer.hpp"
#include "corag/config/runtime.hpp"
#include "corag/models/weights_fingerprint.hpp"
#include "corag/train/best_model.hpp"
#include "corag/train/crab_clients.hpp"
#include "corag/train/epoch_sampler.hpp"
#include "corag/train/evaluation.hpp"
#include "corag/train/fedavg_rounds.hpp"
#include "corag/train/gather_json.hpp"
#include "corag/train/linear_schedule.hpp"
#include "corag/train/loss_means.hpp"
#include "corag/train/rag_stepper.hpp"
#include "corag/train/retrieval_diagnostics.hpp"
#include "corag/train/run_card.hpp"
#include "corag/train/run_checkpoints.hpp"
#include "corag/train/run_summary.hpp"
#include "corag/train/tensorboard_export.hpp"
#include "corag/train/training_steps.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/file_links.hpp"
#include "corag/util/fnv1a.hpp"
#include "corag/util/json_strict.hpp"
#include "corag/util/jsonl_reader.hpp"
#include "corag/util/logging.hpp"
#include "corag/util/metrics_writer.hpp"
#include "corag/util/progress_bar.hpp"
#include "corag/util/rng.hpp"

namespace corag {
namespace {

using Clock = std::chrono::steady_clock;

/// Per-step scalars for viewers of training curves: one row per training step (TrainingSteps).
constexpr const char* kScalarsFile = "scalars.csv";

std::string padded(const char* prefix, std::int64_t value) {
  char text[48];
  std::snprintf(text, sizeof text, "%s-%06lld", prefix, static_cast<long long>(value));
  return text;
}

/// Keeps the first `lines` lines of a JSONL file (a resumed run drops the records written
/// after its checkpoint, then writes them again).
void keep_first_lines(const std::filesystem::path& path, std::int64_t lines) {
  if (!std::filesystem::exists(path)) return;
  std::istringstream in(read_file(path));
  std::string kept;
  std::string line;
  for (std::int64_t i = 0; i < lines && std::getline(in, line); ++i) kept += line + "\n";
  write_file_atomically(path, kept);
}

std::int64_t count_lines(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) return 0;
  const auto text = read_file(path);
  return static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
}

/// A client's eval point: the keys its metrics records get, and the folder of its predictions.
struct ClientPoint {
  nlohmann::json keys;
  std::string name;
};

/// Where a local client's training starts: the steps it has done, and the checkpoint folder of
/// its model and optimizer (none: from the config's models).
struct LocalStart {
  std::int64_t step = 0;
  std::optional<std::filesystem::path> from;
};

class TrainingRun {
 public:
  TrainingRun(const ExperimentConfig& config, const TrainRunOptions& options)
      : config_(config),
        options_(options),
        collective_(options.collective != nullptr ? *options.collective : single_process_),
        hash_(fnv1a_hex(options.resolved_config_yaml)),
        checkpoints_(options.run_dir / "checkpoints", config.train.keep_checkpoints),
        best_(options.run_dir, config.train.mode),
        start_(Clock::now()),
        steps_(config.runtime.seed) {}

  nlohmann::json run() {
    require_config_inputs(config_.input_paths(), "corag train");
    auto runtime_config = config_.runtime;
    if (!options_.device.empty()) runtime_config.device = options_.device;
    runtime_ = apply_runtime(runtime_config);
    clients_ = load_crab_clients(config_.data.crab_dir, config_.data.shots, config_.data.clients);
    // Selection on dev with no dev questions would report no dev-selected scores at all.
    CORAG_CHECK(!config_.eval.dev || std::any_of(clients_.begin(), clients_.end(),
                                                 [](const CrabClient& client) { return !client.dev.empty(); }),
                "eval.dev: the CRAB build in data.crab_dir (", config_.data.crab_dir,
                ") has no dev questions (crab-build-stores with splits.dev_size > 0)");
    if (config_.model.retrieval)
      diagnostics_ = std::make_unique<RetrievalDiagnostics>(CrabLayout(config_.data.crab_dir), clients_);
    // Rank 0 alone writes into the run directory; the others learn from it where to resume.
    std::optional<RunLogFile> log_file;
    std::optional<RunCard> card;
    if (collective_.is_writer()) {
      prepare_run_dir();
      log_file.emplace(options_.run_dir / "train.log");
      card.emplace(options_.run_dir, config_, runtime_);
      metrics_ = std::make_unique<MetricsWriter>(options_.run_dir / "metrics.jsonl");
      scalars_ = std::make_unique<MetricsWriter>(options_.run_dir / kScalarsFile);
      if (scalars_->empty()) scalars_->write_line(TrainingSteps::kScalarsHeader);
    }
    share_resume_point();
    spdlog::info("train: {} mode, {} clients, {} shots, {}, {} on {}{}", to_string(config_.train.mode), clients_.size(),
                 config_.data.shots, config_.model.retrieval ? "store " + config_.store.variant : "closed-book",
                 c10::toString(runtime_.compute_dtype), runtime_.device.str(),
                 collective_.world_size() > 1 ? ", " + std::to_string(collective_.world_size()) + " ranks" : "");
    switch (config_.train.mode) {
      case TrainMode::local:
        run_local();
        break;
      case TrainMode::centralized:
        run_centralized();
        break;
      case TrainMode::collaborative:
        run_collaborative();
        break;
    }
    if (stopped_) {
      spdlog::info("train: stopped after {} checkpoint(s) as asked; continue with --resume", written_);
      if (card) card->finish();
      return nullptr;
    }
    const auto summary = collective_.is_writer() ? write_summary() : nlohmann::json();
    if (card) card->finish();
    if (collective_.world_size() == 1) return summary;
    return parse_json_strict(collective_.all_gather(summary.dump(), "sharing the run's summary").front(),
                             "rank 0's summary");
  }

 private:
  void prepare_run_dir() {
    const auto& dir = options_.run_dir;
    const auto resolved = dir / "config.resolved.yaml";
    if (options_.resume) {
      CORAG_CHECK(std::filesystem::is_regular_file(resolved), "--resume: ", dir.string(), " holds no run (no ",
                  resolved.filename().string(), ")");
      const auto previous = read_file(resolved);
      if (fnv1a_hex(previous) != hash_) {
        std::string listed;
        for (const auto& difference :
             config_differences(previous, options_.resolved_config_yaml, resolved.string(), "the config now")) {
          listed += "\n  " + difference;
        }
        throw_error("--resume: the config differs from the run's ", resolved.string(),
                    " (run's value -> now):", listed.empty() ? " (in formatting only)" : listed,
                    "\nresume with the same config and --set overrides");
      }
      checkpoints_.prune();
      if (const auto latest = checkpoints_.latest()) {
        resume_state_ = RunCheckpoints::read_state(*latest);
        resume_checkpoint_ = *latest;
        check_resume_state(*latest / "state" / "state.json", dir / "metrics.jsonl");
        elapsed_before_ = resume_state_->elapsed_s;
        spdlog::info("resuming from {}", latest->string());
      }
      keep_first_lines(dir / "metrics.jsonl", resume_state_ ? resume_state_->metrics_lines : 0);
      keep_scalars_of_checkpoint(dir / kScalarsFile);
      // A kill between the checkpoint and best/ would otherwise leave best/ a point behind.
      if (resume_state_) offer_best(resume_checkpoint_, *resume_state_);
      return;
    }
    // A run that failed before its first eval point left nothing worth keeping.
    CORAG_CHECK(!std::filesystem::exists(dir / "metrics.jsonl") && !checkpoints_.latest(), dir.string(),
                " already holds a training run: pass --resume to continue it, or choose another --out");
    std::filesystem::remove(dir / kScalarsFile);  // the steps of a run that failed before it
    write_file_atomically(resolved, options_.resolved_config_yaml);
  }

  /// Rank 0 has found and checked the checkpoint to resume from (and cut the run's files back
  /// to it); every other rank resumes from the same one. Also keeps the others from reading
  /// checkpoints while rank 0 prunes them.
  void share_resume_point() {
    if (collective_.world_size() == 1) return;
    const nlohmann::json point = {{"checkpoint", resume_checkpoint_.string()},
                                  {"state", resume_state_ ? resume_state_->to_json() : nlohmann::json()}};
    const auto shared = parse_json_strict(
        collective_.all_gather(collective_.is_writer() ? point.dump() : "", "starting the run").front(),
        "rank 0's resume point");
    resume_checkpoint_ = shared.at("checkpoint").get<std::string>();
    resume_state_.reset();
    if (!shared.at("state").is_null()) resume_state_ = RunState::from_json(shared.at("state"), "rank 0's resume point");
    elapsed_before_ = resume_state_ ? resume_state_->elapsed_s : 0.0;
  }

  /// Whether this rank trains and evaluates `client`: the rank local training gave it, else a
  /// fixed assignment (so that each client's composed stores are made by one rank).
  bool owns(const CrabClient& client) const {
    const auto assigned = local_rank_of_.find(client.index);
    if (assigned != local_rank_of_.end()) return assigned->second == collective_.rank();
    return fixed_rank(client) == collective_.rank();
  }

  /// Client i's rank in collaborative and centralized runs: (i - 1) mod N.
  int fixed_rank(const CrabClient& client) const { return (client.index - 1) % collective_.world_size(); }

  /// scalars.csv as it was when the resumed checkpoint was written (the steps after it are done
  /// again); a file with fewer lines than the checkpoint counted lost some, which is said.
  void keep_scalars_of_checkpoint(const std::filesystem::path& file) const {
    const auto recorded = resume_state_ ? resume_state_->scalars_lines : 1;
    if (recorded < 0) return;  // a checkpoint from before scalars.csv: keep what is there
    if (count_lines(file) < recorded) {
      spdlog::warn("{}: holds {} lines, the checkpoint counted {}: the per-step scalars of the lost lines stay lost",
                   file.string(), count_lines(file), recorded);
    }
    keep_first_lines(file, recorded);
  }

  /// A checkpoint's state must be one this config's run can be in, and the metrics lines it
  /// counted must all still be there: an edited state.json (a round or step past the run,
  /// another regime or client) or a truncated metrics.jsonl would otherwise be continued from
  /// without a word, the lost lines staying lost.
  void check_resume_state(const std::filesystem::path& state_file, const std::filesystem::path& metrics_file) const {
    const auto& state = *resume_state_;
    const auto in_range = [&](const char* key, std::int64_t value, std::int64_t low, std::int64_t high) {
      CORAG_CHECK(value >= low && value <= high, state_file.string(), ": '", key, "' must be an integer in [", low,
                  ", ", high, "] for this run, got ", value);
    };
    CORAG_CHECK(state.config_hash == hash_, state_file.string(), ": belongs to another config");
    CORAG_CHECK(state.mode == config_.train.mode, state_file.string(), ": mode '", to_string(state.mode),
                "' is not this run's '", to_string(config_.train.mode), "'");
    if (config_.train.mode == TrainMode::collaborative) {
      in_range("round", state.round, 1, config_.federated.rounds);
    } else {
      in_range("step", state.step, 1, config_.train.steps);
      if (config_.train.mode == TrainMode::local)
        in_range("client", state.client, 1, static_cast<std::int64_t>(clients_.size()));
    }
    check_other_clients(state, state_file);
    const auto recorded = state.metrics_lines;
    in_range("metrics_lines", recorded, 0, std::numeric_limits<std::int64_t>::max());
    const auto text = std::filesystem::exists(metrics_file) ? read_file(metrics_file) : std::string();
    const auto present = static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
    CORAG_CHECK(present >= recorded, metrics_file.string(), ": holds ", present, " lines, but ", state_file.string(),
                " counted ", recorded,
                " when it was written: lines the run had written are lost; restore the file or start the run again");
    // The lines it counted are those of the eval points up to its own, and the next one (if the
    // run got that far) is past it: a count edited down would drop lines nothing writes again.
    const auto checkpoint_point = eval_point(state.point(), state_file.string());
    std::size_t begin = 0;
    for (std::int64_t line = 0; line <= recorded && line < present; ++line) {
      const auto end = text.find('\n', begin);
      const auto location = metrics_file.string() + ":" + std::to_string(line + 1);
      const auto point =
          eval_point(parse_json_strict(std::string_view(text).substr(begin, end - begin), location), location);
      CORAG_CHECK((point <= checkpoint_point) == (line < recorded), location, ": an eval point ",
                  line < recorded ? "after " : "at or before ", state_file.string(), "'s, whose metrics_lines (",
                  recorded, ") ", line < recorded ? "must not count it" : "leaves it out",
                  "; the state and the metrics disagree");
      begin = end + 1;
    }
  }

  /// The clients a local run over ranks was training besides `client`: each listed once, with
  /// its model in the checkpoint; those before `client` are done and hold nothing back, and the
  /// records held back for a later one are its own, at steps it has done.
  void check_other_clients(const RunState& state, const std::filesystem::path& state_file) const {
    const auto where = state_file.string() + ": other_clients";
    CORAG_CHECK(state.other_clients.empty() || config_.train.mode == TrainMode::local, where,
                ": only a local run trains several clients at once");
    const auto checkpoint = state_file.parent_path().parent_path();
    std::set<std::int64_t> listed = {state.client};
    for (const auto& other : state.other_clients) {
      const auto client = where + ": client " + std::to_string(other.client);
      CORAG_CHECK(other.client >= 1 && other.client <= static_cast<std::int64_t>(clients_.size()), client,
                  ": not a client of this run (1 to ", clients_.size(), ")");
      CORAG_CHECK(listed.insert(other.client).second, client, ": listed twice, or as 'client' too");
      CORAG_CHECK(other.step >= 1 && other.step <= config_.train.steps, client, ": 'step' must be in [1, ",
                  config_.train.steps, "], got ", other.step);
      CORAG_CHECK(other.client > state.client ||
                      (other.step == config_.train.steps && other.records.empty() && other.scalars.empty()),
                  client, ": a client before 'client' (", state.client, ") must be done, with nothing held back");
      for (const auto& record : other.records) {
        CORAG_CHECK(record.value("client", std::int64_t{0}) == other.client &&
                        record.value("step", std::numeric_limits<std::int64_t>::max()) <= other.step,
                    client, ": a held-back record of another client or a later step: ", record.dump());
      }
      CORAG_CHECK(std::filesystem::is_directory(state.client_folder(checkpoint, other.client) / "reader"), client,
                  ": its model is missing (", state.client_folder(checkpoint, other.client).string(), ")");
    }
  }

  /// The eval point a metrics record or a checkpoint state belongs to, in the order the run
  /// reaches them: (round), (step), or (client, step) for local training.
  std::vector<std::int64_t> eval_point(const nlohmann::json& record, const std::string& location) const {
    std::vector<const char*> keys = {"step"};
    if (config_.train.mode == TrainMode::collaborative) keys = {"round"};
    if (config_.train.mode == TrainMode::local) keys = {"client", "step"};
    std::vector<std::int64_t> point;
    for (const auto* key : keys) {
      const auto found = record.find(key);
      CORAG_CHECK(found != record.end() && found->is_number_integer(), location, ": '", key,
                  "' must be an integer, got ", found == record.end() ? std::string("nothing") : found->dump());
      point.push_back(found->get<std::int64_t>());
    }
    return point;
  }

  double elapsed() const { return elapsed_before_ + std::chrono::duration<double>(Clock::now() - start_).count(); }

  std::unique_ptr<RagModel> load_model(const std::optional<std::filesystem::path>& checkpoint) {
    const std::filesystem::path reader =
        checkpoint ? *checkpoint / "reader" : std::filesystem::path(config_.model.reader);
    std::filesystem::path retriever;
    if (config_.model.retrieval) {
      CORAG_CHECK(!config_.model.retriever.empty(), "model.retriever: a retrieval model needs a retriever directory");
      retriever = checkpoint ? *checkpoint / "retriever" : std::filesystem::path(config_.model.retriever);
    }
    auto model = std::make_unique<RagModel>(RagModel::load(reader, retriever, config_.model, runtime_.device));
    if (model->has_retriever() && !catalog_) {
      catalog_ = std::make_unique<StoreCatalog>(
          config_.data.crab_dir, config_.store.embeddings, config_.store.index, options_.run_dir / "stores",
          weights_fingerprint(*model->retriever().passage_encoder()), config_.model.retriever);
    }
    return model;
  }

  /// The client's questions with its train store (none when closed-book); after load_model.
  std::vector<TrainExample> client_examples(const CrabClient& client) {
    std::vector<TrainExample> examples;
    const DenseStore* store = catalog_ ? catalog_->train_store(config_.store.variant, client.index) : nullptr;
    for (const auto& qa : client.train) examples.push_back({&qa, store});
    return examples;
  }

  /// Scores `clients` on test (and dev), each on the rank that owns it (with its `model`: none on
  /// a rank that owns none of them); rank 0 writes their predictions and returns their metrics
  /// records, in the order of `clients`, for the caller to write. With `round` (a FedAvg round's),
  /// each record gets the round's payload per rank, counted up to and with this exchange.
  std::vector<nlohmann::json> evaluate_point(RagModel* model, const std::vector<const CrabClient*>& clients,
                                             const std::function<ClientPoint(const CrabClient&)>& point_of,
                                             const std::map<int, LossMeans>& losses,
                                             const RoundResult* round = nullptr) {
    std::vector<EvalSplit> splits = {EvalSplit::test};
    if (config_.eval.dev) splits.push_back(EvalSplit::dev);
    nlohmann::json scored = nlohmann::json::array();
    for (const auto* client : clients) {
      if (!owns(*client)) continue;
      collective_.announce(point_of(*client).name + ": evaluating client " + std::to_string(client->index));
      for (const auto split : splits) {
        if (split == EvalSplit::dev && client->dev.empty()) continue;
        auto evaluation = score_client(*model, *client, split, catalog_.get(), config_, runtime_, diagnostics_.get());
        scored.push_back(
            {{"record", std::move(evaluation.record)}, {"predictions", std::move(evaluation.predictions)}});
      }
    }
    nlohmann::json message = {{"scored", std::move(scored)}};
    if (round) {
      const auto now = collective_.traffic();
      message["sent_bytes"] = now.sent_bytes - round->traffic_at_start.sent_bytes;
      message["received_bytes"] = now.received_bytes - round->traffic_at_start.received_bytes;
      message["aggregation_s"] = round->aggregation_s;
    }
    const auto gathering = point_of(*clients.front()).name + ": gathering the evaluations";
    collective_.announce(gathering);
    const auto texts = collective_.all_gather(message.dump(), gathering);
    std::vector<nlohmann::json> records;
    if (!collective_.is_writer()) return records;
    std::map<std::pair<int, std::string>, nlohmann::json> by_client;
    nlohmann::json round_comm = {{"ranks", texts.size()},
                                 {"sent_bytes", nlohmann::json::array()},
                                 {"received_bytes", nlohmann::json::array()},
                                 {"aggregation_s", nlohmann::json::array()}};
    std::uint64_t all_bytes = 0;
    for (const auto& text : texts) all_bytes += text.size();
    for (const auto& text : texts) {
      auto rank_message = parse_json_strict(text, gathering + " (a rank's message)");
      for (auto& entry : rank_message.at("scored")) {
        const auto& record = entry.at("record");
        by_client[{record.at("client").get<int>(), record.at("split").get<std::string>()}] = std::move(entry);
      }
      if (!round) continue;
      // This exchange's own payload: a rank sends its message and receives the others' (alone,
      // it sends nothing).
      round_comm["sent_bytes"].push_back(rank_message.at("sent_bytes").get<std::uint64_t>() +
                                         (texts.size() > 1 ? text.size() : 0));
      round_comm["received_bytes"].push_back(rank_message.at("received_bytes").get<std::uint64_t>() + all_bytes -
                                             text.size());
      round_comm["aggregation_s"].push_back(rank_message.at("aggregation_s"));
    }
    for (const auto* client : clients) {
      const auto point = point_of(*client);
      for (const auto split : splits) {
        if (split == EvalSplit::dev && client->dev.empty()) continue;
        const auto found = by_client.find({client->index, to_string(split)});
        CORAG_CHECK(found != by_client.end(), point.name, ": no rank evaluated client ", client->index, " on ",
                    to_string(split));
        const auto& entry = found->second;
        write_predictions_file(options_.run_dir / "predictions" / point.name /
                                   ("client_" + std::to_string(client->index) + "." + to_string(split) + ".jsonl"),
                               entry.at("predictions").get<std::vector<nlohmann::json>>());
        auto record = nlohmann::json{{"mode", to_string(config_.train.mode)},
                                     {"variant", config_.reported_variant()},
                                     {"shots", config_.data.shots}};
        record.update(point.keys);
        record.update(entry.at("record"));
        const auto loss = losses.find(client->index);
        record.update((loss != losses.end() ? loss->second : LossMeans{}).json());
        if (round) record["comm"] = round_comm;
        record["wall_s"] = elapsed();
        spdlog::info("{} client {} {}: EM {:.2f} F1 {:.2f} (n {})", point.name, client->index, to_string(split),
                     record["em"].get<double>(), record["f1"].get<double>(), record["n"].get<std::int64_t>());
        records.push_back(std::move(record));
      }
    }
    return records;
  }

  /// Writes a checkpoint at `state`'s eval point (rank 0 counts the lines written so far):
  /// `save(folder)` writes the models into it, on rank 0 alone or, with `every_rank_saves`, on
  /// every rank (each its own: the run directory must then be on a filesystem the ranks share).
  /// Rank 0 then offers best/ the models. Returns the checkpoint's path, on every rank with
  /// `every_rank_saves`; sets stopped_ when the run should stop here (--stop-after).
  std::filesystem::path checkpoint(RunState state, const std::function<void(const std::filesystem::path&)>& save,
                                   bool every_rank_saves) {
    const auto what = "checkpoint at " + state.point().dump();
    std::filesystem::path path;
    if (collective_.is_writer()) {
      state.config_hash = hash_;
      state.metrics_lines = count_lines(metrics_->path());
      state.scalars_lines = count_lines(scalars_->path());
      state.elapsed_s = elapsed();
      path = checkpoints_.write(state, [&](const std::filesystem::path& folder) {
        if (!every_rank_saves) return save(folder);
        collective_.all_gather(folder.string(), what + ": sharing its folder");
        save_on_every_rank(folder, save, what);
      });
      spdlog::info("checkpoint {}", path.string());
      offer_best(path, state);
      export_tensorboard(options_.run_dir);
    } else if (every_rank_saves) {
      const std::filesystem::path folder = collective_.all_gather("", what + ": sharing its folder").front();
      save_on_every_rank(folder, save, what);
    }
    // Also keeps the other ranks from reading the checkpoint before rank 0 has renamed it.
    if (every_rank_saves) path = collective_.all_gather(path.string(), what + ": written").front();
    ++written_;
    stopped_ = options_.stop_after > 0 && written_ >= options_.stop_after;
    return path;
  }

  /// This rank's part of a checkpoint written by every rank into rank 0's `folder`; returns once
  /// every rank is done, and fails on every rank, naming the rank, when one could not save.
  void save_on_every_rank(const std::filesystem::path& folder,
                          const std::function<void(const std::filesystem::path&)>& save, const std::string& what) {
    std::string failure;
    try {
      CORAG_CHECK(std::filesystem::is_directory(folder), folder.string(),
                  ": rank 0's checkpoint folder is not there on this rank; training local clients over ranks needs "
                  "the run directory on a filesystem every rank shares");
      save(folder);
    } catch (const std::exception& error) {
      failure = error.what();
    }
    const auto failures = collective_.all_gather(failure, what + ": saving the models");
    for (std::size_t rank = 0; rank < failures.size(); ++rank) {
      CORAG_CHECK(failures[rank].empty(), what, ": rank ", rank, " could not save its model: ", failures[rank]);
    }
  }

  /// Offers best/ the models of checkpoint `path` (rank 0): its state's eval point, and the other
  /// clients' of a local run over ranks at theirs.
  void offer_best(const std::filesystem::path& path, const RunState& state) const {
    if (!config_.train.keep_best) return;
    const auto records = metrics_records(options_.run_dir / "metrics.jsonl");
    best_.offer(records, path, state.point());
    for (const auto& other : state.other_clients) {
      best_.offer(records, state.client_folder(path, other.client), {{"client", other.client}, {"step", other.step}});
    }
  }

  /// Writes metrics records (rank 0; the others have none).
  void write_records(const std::vector<nlohmann::json>& records) {
    for (const auto& record : records) metrics_->write(record);
  }

  std::vector<const CrabClient*> all_clients() const {
    std::vector<const CrabClient*> all;
    for (const auto& client : clients_) all.push_back(&client);
    return all;
  }

  /// Local training: every client trains a model of its own for train.steps steps. Over N ranks
  /// the clients train in waves of up to N consecutive clients at the same step, the wave's j-th
  /// client on rank j, and the wave's ranks meet at every eval point. Rank 0 writes a client's
  /// metrics records and scalars.csv lines only after those of every client before it, as a
  /// one-process run does: the wave's first client's at once, the others' at the wave's end,
  /// held back until then in the checkpoints' state (RunState::other_clients).
  void run_local() {
    const auto steps = config_.train.steps;
    std::map<std::int64_t, LocalStart> starts;  // the clients not done, by index
    for (const auto& client : clients_) {
      if (!resume_state_ || client.index > resume_state_->client) starts[client.index] = {};
    }
    if (resume_state_) {
      starts[resume_state_->client] = {resume_state_->step, resume_checkpoint_};
      for (const auto& other : resume_state_->other_clients) {
        starts[other.client] = {other.step, resume_state_->client_folder(resume_checkpoint_, other.client)};
        held_records_[other.client] = other.records;
        held_scalars_[other.client] = other.scalars;
      }
    }
    std::uint64_t done_before = static_cast<std::uint64_t>(clients_.size() * steps);
    for (auto found = starts.begin(); found != starts.end();) {
      done_before -= static_cast<std::uint64_t>(std::max<std::int64_t>(0, steps - found->second.step));
      found = found->second.step >= steps ? starts.erase(found) : std::next(found);
    }
    const auto ranks = static_cast<std::size_t>(collective_.world_size());
    std::vector<std::vector<const CrabClient*>> waves;
    for (const auto& client : clients_) {
      const auto start = starts.find(client.index);
      if (start == starts.end()) continue;
      if (waves.empty() || waves.back().size() == ranks ||
          starts.at(waves.back().front()->index).step != start->second.step) {
        waves.emplace_back();
      }
      waves.back().push_back(&client);
    }
    std::uint64_t mine = 0;
    for (const auto& wave : waves) {
      if (static_cast<std::size_t>(collective_.rank()) < wave.size())
        mine += static_cast<std::uint64_t>(steps - starts.at(wave.front()->index).step);
    }
    steps_.start(mine + done_before / ranks, done_before / ranks);
    // The clients part-trained by an earlier invocation whose wave is still to come: every
    // checkpoint carries their models (and their `from` moves to it) and held-back lines.
    std::map<std::int64_t, LocalStart> waiting;
    for (const auto& [client, start] : starts) {
      if (start.from) waiting[client] = start;
    }
    for (const auto& wave : waves) {
      std::map<std::int64_t, LocalStart> wave_starts;
      for (const auto* client : wave) {
        const auto carried = waiting.find(client->index);
        wave_starts[client->index] = carried != waiting.end() ? carried->second : starts.at(client->index);
        if (carried != waiting.end()) waiting.erase(carried);
      }
      if (!train_local_wave(wave, wave_starts, waiting)) return;
    }
  }

  /// One wave of local training (see run_local), its clients from `starts`; returns false when
  /// --stop-after ended the run.
  bool train_local_wave(const std::vector<const CrabClient*>& wave, const std::map<std::int64_t, LocalStart>& starts,
                        std::map<std::int64_t, LocalStart>& waiting) {
    local_rank_of_.clear();
    for (std::size_t position = 0; position < wave.size(); ++position)
      local_rank_of_[wave[position]->index] = static_cast<int>(position);
    const auto position = static_cast<std::size_t>(collective_.rank());
    const CrabClient* mine = position < wave.size() ? wave[position] : nullptr;
    std::unique_ptr<RagModel> model;
    std::vector<TrainExample> examples;
    std::string who;
    std::optional<std::filesystem::path> from;
    if (mine) {
      from = starts.at(mine->index).from;
      model = load_model(from);
      examples = client_examples(*mine);
      who = "client" + std::to_string(mine->index);
    }
    return train_for_steps(model.get(), examples, who, starts.at(wave.front()->index).step, from,
                           [&](std::int64_t step, const LossMeans& running, const RagStepper* stepper) {
                             return local_eval_point(wave, mine, step, running, model.get(), stepper, waiting);
                           });
  }

  /// A local wave's eval point at `step` (every rank): the clients' losses and scalars.csv lines
  /// go to rank 0, each client is scored on its rank, and the checkpoint holds every rank's model.
  bool local_eval_point(const std::vector<const CrabClient*>& wave, const CrabClient* mine, std::int64_t step,
                        const LossMeans& running, RagModel* model, const RagStepper* stepper,
                        std::map<std::int64_t, LocalStart>& waiting) {
    const auto point_of = [step](const CrabClient& client) {
      const auto who = "client" + std::to_string(client.index);
      return ClientPoint{{{"client", client.index}, {"step", step}}, who + "-" + padded("step", step)};
    };
    nlohmann::json trained;  // null on a rank with no client in this wave
    if (mine) trained = {{"client", mine->index}, {"losses", running.sums()}, {"scalars", steps_.take_scalars()}};
    std::map<int, LossMeans> losses;
    const auto gathering = point_of(*wave.front()).name + ": gathering the clients' losses";
    for (const auto& sent : gather_json(collective_, trained, gathering)) {
      if (sent.is_null()) continue;
      const auto client = sent.at("client").get<int>();
      losses[client] = LossMeans::from_sums(sent.at("losses"));
      for (const auto& line : sent.at("scalars")) held_scalars_[client].push_back(line.get<std::string>());
    }
    for (auto& record : evaluate_point(model, wave, point_of, losses))
      held_records_[record.at("client").get<std::int64_t>()].push_back(std::move(record));
    const bool wave_done = step == config_.train.steps;
    for (const auto* client : wave) {
      if (client == wave.front() || wave_done) release_held(client->index);
    }
    // The state names the last client whose lines are all written, as a one-process run's does.
    RunState state;
    state.mode = TrainMode::local;
    state.client = (wave_done ? wave.back() : wave.front())->index;
    state.step = step;
    for (const auto* client : wave) {
      if (client->index != state.client) state.other_clients.push_back({client->index, step, {}, {}});
    }
    for (const auto& [client, start] : waiting) state.other_clients.push_back({client, start.step, {}, {}});
    std::sort(state.other_clients.begin(), state.other_clients.end(),
              [](const auto& a, const auto& b) { return a.client < b.client; });
    for (auto& other : state.other_clients) {
      other.records = held_records_[other.client];
      other.scalars = held_scalars_[other.client];
    }
    const auto path = checkpoint(
        state,
        [&](const std::filesystem::path& folder) {
          if (mine) {
            const auto own = state.client_folder(folder, mine->index);
            model->save(own);
            std::filesystem::create_directories(own / "state");
            stepper->save_optimizer(own / "state" / "optimizer.safetensors");
          }
          if (!collective_.is_writer()) return;
          for (const auto& [client, start] : waiting) {
            for (const char* part : {"reader", "retriever", "state"}) {
              if (std::filesystem::exists(*start.from / part))
                link_tree(*start.from / part, state.client_folder(folder, client) / part);
            }
          }
        },
        true);
    for (auto& [client, start] : waiting) start.from = state.client_folder(path, client);
    return !stopped_;
  }

  /// Writes the held-back metrics records and scalars.csv lines of `client` (rank 0).
  void release_held(std::int64_t client) {
    if (collective_.is_writer()) {
      for (const auto& line : held_scalars_[client]) scalars_->write_line(line);
      for (const auto& record : held_records_[client]) metrics_->write(record);
    }
    held_scalars_.erase(client);
    held_records_.erase(client);
  }

  void run_centralized() {
    std::int64_t start = 0;
    std::optional<std::filesystem::path> from;
    if (resume_state_) {
      start = resume_state_->step;
      if (start >= config_.train.steps) return;
      from = resume_checkpoint_;
    }
    steps_.start(config_.train.steps, start);
    auto model = load_model(from);
    std::vector<TrainExample> examples;
    for (const auto& client : clients_) {
      for (const auto& example : client_examples(client)) examples.push_back(example);
    }
    train_for_steps(model.get(), examples, "all", start, from,
                    [&](std::int64_t step, const LossMeans& running, const RagStepper* stepper) {
                      std::map<int, LossMeans> losses;
                      for (const auto& client : clients_) losses[client.index] = running;
                      const auto point_of = [step](const CrabClient&) {
                        return ClientPoint{{{"step", step}}, padded("step", step)};
                      };
                      write_records(evaluate_point(model.get(), all_clients(), point_of, losses));
                      RunState state;
                      state.mode = TrainMode::centralized;
                      state.step = step;
                      checkpoint(
                          state,
                          [&](const std::filesystem::path& folder) {
                            model->save(folder);
                            stepper->save_optimizer(folder / "state" / "optimizer.safetensors");
                          },
                          false);
                      return !stopped_;
                    });
  }

  /// Local and centralized training: `model` (none on a rank idle in this local wave) and an
  /// optimizer on `examples` for train.steps steps (data order and step seeds keyed by `who`),
  /// from step `start` (optimizer state from checkpoint folder `from`). At every eval point
  /// `at_eval_point(step, losses since the last, stepper)` runs on every rank; it returns false
  /// to end the run (--stop-after), and so does this.
  bool train_for_steps(RagModel* model, const std::vector<TrainExample>& examples, const std::string& who,
                       std::int64_t start, const std::optional<std::filesystem::path>& from,
                       const std::function<bool(std::int64_t, const LossMeans&, const RagStepper*)>& at_eval_point) {
    const auto steps = config_.train.steps;
    std::optional<RagStepper> stepper;
    std::optional<EpochSampler> sampler;
    std::optional<ProgressBar> progress;
    if (model) {
      // Centralized training is data-parallel over the ranks; a local client trains on one.
      stepper.emplace(*model, config_, runtime_,
                      LinearSchedule(config_.train.warmup_steps, steps, config_.train.lr_floor_ratio),
                      config_.train.mode == TrainMode::centralized ? &collective_ : nullptr);
      if (from) stepper->load_optimizer(*from / "state" / "optimizer.safetensors");
      sampler.emplace(examples.size(), batch_size_for(examples.size(), who), derive_seed(runtime_.seed, "data/" + who));
      progress.emplace("train " + who, static_cast<std::uint64_t>(steps - start), "steps");
    }
    LossMeans running;
    for (std::int64_t step = start; step < steps; ++step) {
      if (model) {
        std::vector<TrainExample> batch;
        for (const auto index : sampler->batch(step)) batch.push_back(examples[index]);
        const auto step_losses = steps_.take(*stepper, batch, step, who, 0);
        // A local client's rows wait for the eval point, to be written in client order.
        if (config_.train.mode != TrainMode::local) write_scalars(steps_.take_scalars());
        running.add(step_losses);
        progress->set_status(steps_.status(step_losses));
        progress->advance();
      }
      const bool eval_now =
          step + 1 == steps || (config_.train.eval_every > 0 && (step + 1) % config_.train.eval_every == 0);
      if (!eval_now) continue;
      if (!at_eval_point(step + 1, running, stepper ? &*stepper : nullptr)) return false;
      running = LossMeans{};
    }
    if (progress) progress->finish();
    return true;
  }

  void run_collaborative() {
    const auto rounds = config_.federated.rounds;
    std::int64_t start = 0;
    std::optional<std::filesystem::path> from;
    if (resume_state_) {
      start = resume_state_->round;
      if (start >= rounds) return;
      from = resume_checkpoint_;
    }
    auto model = load_model(from);
    std::vector<FederatedClient> federated;
    for (const auto& client : clients_) {
      auto examples = client_examples(client);
      const std::string who = "client" + std::to_string(client.index);
      EpochSampler sampler(examples.size(), batch_size_for(examples.size(), who),
                           derive_seed(runtime_.seed, "data/" + who));
      const double weight =
          config_.federated.weighting == ClientWeighting::examples ? static_cast<double>(client.train.size()) : 1.0;
      federated.push_back({&client, std::move(examples), sampler, weight, fixed_rank(client)});
    }
    FedAvgRounds fedavg(*model, std::move(federated), config_, runtime_, collective_, steps_);
    steps_.start(fedavg.steps_on_this_rank(rounds), fedavg.steps_on_this_rank(start));
    for (std::int64_t round = start; round < rounds; ++round) {
      const auto result = fedavg.run(round, config_.federated.save_client_models
                                                ? options_.run_dir / "client_models" / padded("round", round + 1)
                                                : std::filesystem::path());
      write_scalars(result.scalars);
      const auto point_of = [round](const CrabClient&) {
        return ClientPoint{{{"round", round + 1}}, padded("round", round + 1)};
      };
      write_records(evaluate_point(model.get(), all_clients(), point_of, result.losses, &result));
      RunState state;
      state.mode = TrainMode::collaborative;
      state.round = round + 1;
      checkpoint(
          state, [&](const std::filesystem::path& folder) { model->save(folder); }, false);
      if (stopped_) return;
    }
  }

  /// train.batch_size, or all `examples` when there are fewer: Atlas's batch iterator drops an
  /// incomplete batch, so with fewer questions than the batch it would never take a step; the
  /// paper's batch 64 at 16 and 32 shots can only mean every question per step. Said in the
  /// log, and recorded in the summary as `batch_size`.
  std::size_t batch_size_for(std::size_t examples, const std::string& who) {
    const auto configured = static_cast<std::size_t>(config_.train.batch_size);
    const auto used = std::min(configured, examples);
    if (used < configured) {
      spdlog::warn("train.batch_size {} exceeds the {} training questions of {}: every step uses all {}", configured,
                   examples, who, used);
    }
    smallest_batch_ = std::min(smallest_batch_, used);
    return used;
  }

  /// Writes scalars.csv rows (rank 0; the others drop theirs).
  void write_scalars(const std::vector<std::string>& rows) {
    if (!collective_.is_writer()) return;
    for (const auto& row : rows) scalars_->write_line(row);
  }

  static std::vector<nlohmann::json> metrics_records(const std::filesystem::path& file) {
    std::vector<nlohmann::json> records;
    JsonlReader lines(file);
    for (nlohmann::json record; lines.next(record);) records.push_back(std::move(record));
    return records;
  }

  nlohmann::json write_summary() {
    auto summary = summarize_run(config_.train.mode, metrics_records(metrics_->path()));
    summary["variant"] = config_.reported_variant();
    summary["shots"] = config_.data.shots;
    summary["batch_size"] = {
        {"configured", config_.train.batch_size},
        {"smallest_used", std::min(smallest_batch_, static_cast<std::size_t>(config_.train.batch_size))}};
    write_file_atomically(options_.run_dir / "summary.json", summary.dump(2) + "\n");
    write_file_atomically(options_.run_dir / "table.md", render_summary_table(summary));
    export_tensorboard(options_.run_dir);
    if (config_.train.keep_best) best_.finish(summary);
    spdlog::info("train: {}: EM {:.2f} F1 {:.2f}; {}", summary["best"]["selection"].get<std::string>(),
                 summary["best"]["em"].get<double>(), summary["best"]["f1"].get<double>(),
                 (options_.run_dir / "table.md").string());
    return summary;
  }

  const ExperimentConfig& config_;
  const TrainRunOptions& options_;
  SingleProcessCollective single_process_;
  Collective& collective_;  ///< options_.collective, or single_process_
  std::string hash_;
  RunCheckpoints checkpoints_;
  BestModel best_;
  Clock::time_point start_;
  double elapsed_before_ = 0;
  Runtime runtime_;
  std::vector<CrabClient> clients_;
  std::unique_ptr<MetricsWriter> metrics_;
  std::unique_ptr<MetricsWriter> scalars_;
  std::unique_ptr<StoreCatalog> catalog_;
  std::unique_ptr<RetrievalDiagnostics> diagnostics_;  ///< retrieval runs
  std::optional<RunState> resume_state_;
  std::filesystem::path resume_checkpoint_;
  TrainingSteps steps_;               ///< the run's training steps, progress and scalars.csv rows
  std::map<int, int> local_rank_of_;  ///< the rank of each client of the local wave in training
  std::map<std::int64_t, std::vector<nlohmann::json>> held_records_;  ///< local: metrics records not written yet
  std::map<std::int64_t, std::vector<std::string>> held_scalars_;     ///< local: scalars.csv lines not written yet
  std::int64_t written_ = 0;
  bool stopped_ = false;
  std::size_t smallest_batch_ = std::numeric_limits<std::size_t>::max();
};

}  // namespace

nlohmann::json run_training(const ExperimentConfig& config, const TrainRunOptions& options) {
  return TrainingRun(config, options).run();
}

nlohmann::json run_training_seeds(const ExperimentConfig& config, const TrainRunOptions& options,
                                  const std::vector<std::int64_t>& seeds) {
  CORAG_CHECK(!seeds.empty(), "--seeds: name at least one seed");
  CORAG_CHECK(std::set<std::int64_t>(seeds.begin(), seeds.end()).size() == seeds.size(), "--seeds: a seed is repeated");
  std::vector<std::pair<std::int64_t, nlohmann::json>> runs;
  for (const auto seed : seeds) {
    CORAG_CHECK(seed >= 0, "--seeds: seeds must be >= 0, got ", seed);
    auto seeded = config;
    seeded.runtime.seed = seed;
    TrainRunOptions run = options;
    run.run_dir = options.run_dir / ("seed-" + std::to_string(seed));
    run.resolved_config_yaml = config_to_yaml(seeded);
    spdlog::info("train: seed {} of {} ({})", runs.size() + 1, seeds.size(), run.run_dir.string());
    auto summary = run_training(seeded, run);
    if (summary.is_null()) return nullptr;
    runs.emplace_back(seed, std::move(summary));
  }
  const auto summary = summarize_seeds(runs);
  if (options.collective == nullptr || options.collective->is_writer()) {
    write_file_atomically(options.run_dir / "seeds.json", summary.dump(2) + "\n");
    write_file_atomically(options.run_dir / "seeds.md", render_seeds_table(summary));
  }
  return summary;
}

}  // namespace corag
