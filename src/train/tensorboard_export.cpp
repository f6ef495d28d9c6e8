#include "corag/train/tensorboard_export.hpp"

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/train/retrieval_diagnostics.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/jsonl_reader.hpp"
#include "corag/util/line_reader.hpp"
#include "corag/util/tensorboard_events.hpp"

namespace corag {
namespace {

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
  if (!line.empty() && line.back() == ',') fields.emplace_back();
  return fields;
}

/// The per-step scalars, numbered per WHO in the order WHO took its steps.
void read_step_scalars(const std::filesystem::path& file, std::vector<TensorBoardScalar>& scalars) {
  if (!std::filesystem::exists(file)) return;
  LineReader lines(file);
  std::string line;
  CORAG_CHECK(lines.next(line), file.string(), ": empty (no header)");
  const auto header = split_csv(line);
  CORAG_CHECK(header.size() > 3 && header[0] == "who" && header[1] == "round" && header[2] == "step", file.string(),
              ":1: not a corag scalars header: ", line);
  std::map<std::string, std::int64_t> steps_taken;
  while (lines.next(line)) {
    const auto fields = split_csv(line);
    const auto where = file.string() + ":" + std::to_string(lines.line_number());
    CORAG_CHECK(fields.size() == header.size(), where, ": ", fields.size(), " fields, the header has ", header.size());
    const auto step = ++steps_taken[fields[0]];
    for (std::size_t i = 3; i < fields.size(); ++i) {
      std::size_t used = 0;
      double value = 0;
      try {
        value = std::stod(fields[i], &used);
      } catch (const std::exception&) {
        used = 0;
      }
      CORAG_CHECK(used == fields[i].size() && used > 0, where, ": ", header[i], " '", fields[i], "' is not a number");
      scalars.push_back({header[i] + "/" + fields[0], step, static_cast<float>(value)});
    }
  }
}

/// The test scores (and retrieval fields) of every eval point.
void read_eval_scalars(const std::filesystem::path& file, std::vector<TensorBoardScalar>& scalars) {
  if (!std::filesystem::exists(file)) return;
  std::vector<std::pair<std::string, std::string>> fields = {
      {"em", "test_em"}, {"f1", "test_f1"}, {"answer_recall", "answer_recall"}};
  for (const auto& field : retrieval_diagnostic_fields()) fields.emplace_back(field, field);
  JsonlReader lines(file);
  for (nlohmann::json record; lines.next(record);) {
    if (!record.is_object() || record.value("split", "") != "test" || !record.contains("client")) continue;
    const char* key = record.contains("round") ? "round" : "step";
    if (!record.contains(key) || !record.at(key).is_number_integer()) continue;
    const auto who = "client_" + record.at("client").dump();
    for (const auto& [field, tag] : fields) {
      const auto found = record.find(field);
      if (found != record.end() && found->is_number()) {
        scalars.push_back({tag + "/" + who, record.at(key).get<std::int64_t>(), found->get<float>()});
      }
    }
  }
}

}  // namespace

std::filesystem::path export_tensorboard(const std::filesystem::path& run_dir) {
  std::vector<TensorBoardScalar> scalars;
  read_step_scalars(run_dir / "scalars.csv", scalars);
  read_eval_scalars(run_dir / "metrics.jsonl", scalars);
  const auto file = run_dir / "tensorboard" / "events.out.tfevents.0.corag";
  std::filesystem::create_directories(file.parent_path());
  write_file_atomically(file, tensorboard_events(scalars, 0.0));
  return file;
}

}  // namespace corag
