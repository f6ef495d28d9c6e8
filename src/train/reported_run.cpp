#include "corag/train/reported_run.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>

#include "corag/train/retrieval_diagnostics.hpp"
#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"
#include "corag/util/jsonl_reader.hpp"

namespace corag {
namespace {

constexpr const char* kConfigFile = "config.resolved.yaml";
constexpr const char* kSummaryFile = "summary.json";

bool is_finished_run(const std::filesystem::path& dir) {
  return std::filesystem::is_regular_file(dir / kConfigFile) && std::filesystem::is_regular_file(dir / kSummaryFile);
}

std::map<std::string, std::string> flattened_config(const std::filesystem::path& file) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(file.string());
  } catch (const YAML::Exception& e) {
    throw_error(file.string(), ": ", e.what());
  }
  CORAG_CHECK(root.IsMap(), file.string(), ": not a mapping of sections");
  std::map<std::string, std::string> flat;
  for (const auto& section : root) {
    CORAG_CHECK(section.second.IsMap(), file.string(), ": section '", section.first.Scalar(), "' is not a mapping");
    for (const auto& key : section.second) {
      const auto& value = key.second;
      std::string text;
      if (value.IsScalar()) {
        text = value.Scalar();
      } else {
        YAML::Emitter out;
        out << YAML::Flow << value;
        text = out.c_str();
      }
      flat[section.first.Scalar() + "." + key.first.Scalar()] = text;
    }
  }
  return flat;
}

double number(const nlohmann::json& object, const char* key, const std::filesystem::path& file) {
  const auto found = object.find(key);
  CORAG_CHECK(found != object.end() && found->is_number(), file.string(), ": '", key, "' is missing or not a number");
  return found->get<double>();
}

/// answer_recall and the retrieval diagnostics of the test records at the point `best` names
/// (its "round" or "step"), averaged over those records (clients); empty when a record lacks one.
std::map<std::string, double> retrieval_at_point(const std::filesystem::path& metrics, const nlohmann::json& best) {
  if (!std::filesystem::is_regular_file(metrics)) return {};
  const char* key = best.contains("round") ? "round" : "step";
  if (!best.contains(key)) return {};
  std::vector<std::string> fields = {"answer_recall"};
  fields.insert(fields.end(), retrieval_diagnostic_fields().begin(), retrieval_diagnostic_fields().end());
  std::map<std::string, double> sums;
  std::size_t records = 0;
  JsonlReader lines(metrics);
  for (nlohmann::json record; lines.next(record);) {
    if (!record.is_object() || record.value("split", "") != "test" || !record.contains(key) ||
        record.at(key) != best.at(key))
      continue;
    for (const auto& field : fields) {
      const auto found = record.find(field);
      if (found == record.end() || !found->is_number()) return {};
      sums[field] += found->get<double>();
    }
    ++records;
  }
  if (records == 0) return {};
  for (auto& [field, sum] : sums) sum /= static_cast<double>(records);
  return sums;
}

}  // namespace

const std::vector<std::string>& report_regimes() {
  static const std::vector<std::string> regimes = {"closed-book", "local", "centralized", "collaborative"};
  return regimes;
}

ReportedRun ReportedRun::read(const std::filesystem::path& dir) {
  ReportedRun run;
  run.dir = dir;
  run.config = flattened_config(dir / kConfigFile);
  const auto value = [&](const std::string& key) {
    const auto found = run.config.find(key);
    CORAG_CHECK(found != run.config.end(), (dir / kConfigFile).string(), ": no '", key, "'");
    return found->second;
  };
  run.regime = value("model.retrieval") == "false" ? "closed-book" : value("train.mode");
  try {
    run.seed = std::stoll(value("runtime.seed"));
  } catch (const std::exception&) {
    throw_error((dir / kConfigFile).string(), ": runtime.seed '", value("runtime.seed"), "' is not an integer");
  }
  const auto summary_file = dir / kSummaryFile;
  const auto summary = read_json_file(summary_file);
  CORAG_CHECK(summary.is_object() && summary.contains("best") && summary["best"].is_object(), summary_file.string(),
              ": no 'best' (not a corag train summary)");
  const auto& best = summary.at("best");
  run.em = number(best, "em", summary_file);
  run.f1 = number(best, "f1", summary_file);
  for (const char* key : {"round", "step"}) {
    if (best.contains(key)) run.point = std::string(key) + " " + best.at(key).dump();
  }
  if (summary.contains("dev_selected")) {
    const auto& dev = summary.at("dev_selected");
    run.dev_selected_em = number(dev, "em", summary_file);
    run.dev_selected_f1 = number(dev, "f1", summary_file);
    run.dev_em = number(dev, "dev_em", summary_file);
    run.dev_f1 = number(dev, "dev_f1", summary_file);
  }
  run.clients = summary.value("clients", nlohmann::json::array());
  if (run.regime != "closed-book") run.retrieval = retrieval_at_point(dir / "metrics.jsonl", best);
  return run;
}

std::vector<ReportedRun> find_reported_runs(const std::vector<std::filesystem::path>& roots) {
  CORAG_CHECK(!roots.empty(), "corag report: name at least one run directory");
  std::vector<std::filesystem::path> dirs;
  for (const auto& root : roots) {
    CORAG_CHECK(std::filesystem::is_directory(root), root.string(), ": no such folder");
    if (is_finished_run(root)) {
      dirs.push_back(root);
      continue;
    }
    const auto before = dirs.size();
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
      if (entry.is_directory() && is_finished_run(entry.path())) dirs.push_back(entry.path());
    }
    CORAG_CHECK(dirs.size() > before, root.string(), ": holds no finished run (config.resolved.yaml and summary.json)");
  }
  std::sort(dirs.begin(), dirs.end());
  dirs.erase(std::unique(dirs.begin(), dirs.end()), dirs.end());
  std::vector<ReportedRun> runs;
  for (const auto& dir : dirs) runs.push_back(ReportedRun::read(dir));
  return runs;
}

}  // namespace corag
