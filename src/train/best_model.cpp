#include "corag/train/best_model.hpp"

#include <cstdio>

#include "corag/train/run_summary.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/file_links.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace {

constexpr const char* kDescription = "best.json";

std::string step_folder(std::int64_t step) {
  char name[32];
  std::snprintf(name, sizeof name, "step-%06lld", static_cast<long long>(step));
  return name;
}

}  // namespace

BestModel::BestModel(std::filesystem::path run_dir, TrainMode mode) : run_dir_(std::move(run_dir)), mode_(mode) {}

void BestModel::offer(const std::vector<nlohmann::json>& records, const std::filesystem::path& checkpoint,
                      const nlohmann::json& point) const {
  if (mode_ == TrainMode::local) {
    const auto client = "client_" + std::to_string(point.at("client").get<std::int64_t>());
    write_directory_atomically(candidates_dir() / client / step_folder(point.at("step").get<std::int64_t>()),
                               [&](const std::filesystem::path& folder) {
                                 for (const char* model : {"reader", "retriever"}) {
                                   if (std::filesystem::exists(checkpoint / model))
                                     link_tree(checkpoint / model, folder / model);
                                 }
                               });
    return;
  }
  const char* key = mode_ == TrainMode::collaborative ? "round" : "step";
  const auto summary = summarize_run(mode_, records);
  const auto& best = summary.at("best");
  if (best.at(key) != point.at(key)) return;  // an earlier point is better: best/ holds it already
  const nlohmann::json description = {{"mode", to_string(mode_)},
                                      {key, best.at(key)},
                                      {"em", best.at("em")},
                                      {"f1", best.at("f1")},
                                      {"selection", best.at("selection")},
                                      {"checkpoint", checkpoint.filename().string()}};
  const auto written = dir() / kDescription;
  if (std::filesystem::is_regular_file(written) && read_json_file(written) == description) return;
  write({{checkpoint, ""}}, description);
}

void BestModel::finish(const nlohmann::json& summary) const {
  const auto& best = summary.at("best");
  if (mode_ != TrainMode::local) {
    const char* key = mode_ == TrainMode::collaborative ? "round" : "step";
    const auto written = dir() / kDescription;
    CORAG_CHECK(std::filesystem::is_regular_file(written), written.string(), ": missing; the run reports ", key, " ",
                best.at(key).dump());
    CORAG_CHECK(read_json_file(written).at(key) == best.at(key), written.string(), " does not name the ", key,
                " the run reports (", best.at(key).dump(), ")");
    return;
  }
  const auto step = best.at("step").get<std::int64_t>();
  const auto written = dir() / kDescription;
  if (std::filesystem::is_regular_file(written) && read_json_file(written).at("step") == step) {
    // Finished before: a kill after best/ was written, or --resume of a finished run, which
    // offered its last checkpoint again.
    remove_directory_atomically(candidates_dir());
    return;
  }
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> models;
  nlohmann::json clients = nlohmann::json::array();
  for (const auto& client : summary.at("clients")) {
    const auto name = "client_" + std::to_string(client.at("client").get<std::int64_t>());
    const auto source = candidates_dir() / name / step_folder(step);
    CORAG_CHECK(std::filesystem::is_directory(source), source.string(), ": missing; the run reports step ", step);
    models.emplace_back(source, name);
    clients.push_back(name);
  }
  write(models, {{"mode", to_string(mode_)},
                 {"step", step},
                 {"em", best.at("em")},
                 {"f1", best.at("f1")},
                 {"selection", best.at("selection")},
                 {"clients", clients}});
  remove_directory_atomically(candidates_dir());
}

void BestModel::write(const std::vector<std::pair<std::filesystem::path, std::filesystem::path>>& models,
                      const nlohmann::json& description) const {
  write_directory_atomically(dir(), [&](const std::filesystem::path& folder) {
    for (const auto& [source, inside] : models) {
      for (const char* model : {"reader", "retriever"}) {
        if (std::filesystem::exists(source / model)) link_tree(source / model, folder / inside / model);
      }
    }
    write_file_atomically(folder / kDescription, description.dump(2) + "\n");
  });
}

}  // namespace corag
