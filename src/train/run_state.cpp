#include "corag/train/run_state.hpp"

#include <limits>

#include "corag/util/error.hpp"

namespace corag {
namespace {

std::int64_t integer_field(const nlohmann::json& state, const char* key, const std::string& location,
                           std::int64_t fallback, bool required) {
  const auto found = state.find(key);
  if (found == state.end() && !required) return fallback;
  CORAG_CHECK(found != state.end() && found->is_number_integer(), location, ": '", key, "' must be an integer, got ",
              found == state.end() ? std::string("nothing") : found->dump());
  return found->get<std::int64_t>();
}

}  // namespace

nlohmann::json RunState::point() const {
  switch (mode) {
    case TrainMode::collaborative:
      return {{"round", round}};
    case TrainMode::centralized:
      return {{"step", step}};
    case TrainMode::local:
      break;
  }
  return {{"client", client}, {"step", step}};
}

nlohmann::json RunState::to_json() const {
  auto state = point();
  state["sequence"] = sequence;
  state["config_hash"] = config_hash;
  state["mode"] = to_string(mode);
  state["metrics_lines"] = metrics_lines;
  state["scalars_lines"] = scalars_lines;
  state["elapsed_s"] = elapsed_s;
  if (!other_clients.empty()) {
    auto& others = state["other_clients"] = nlohmann::json::array();
    for (const auto& other : other_clients) {
      others.push_back(
          {{"client", other.client}, {"step", other.step}, {"records", other.records}, {"scalars", other.scalars}});
    }
  }
  state["rng"] = "derived from runtime.seed and the client/step/round counters above";
  return state;
}

RunState RunState::from_json(const nlohmann::json& state, const std::string& location) {
  CORAG_CHECK(state.is_object(), location, ": expected a JSON object");
  RunState read;
  read.sequence = integer_field(state, "sequence", location, 0, true);
  const auto hash = state.find("config_hash");
  CORAG_CHECK(hash != state.end() && hash->is_string(), location, ": 'config_hash' must be a string");
  read.config_hash = hash->get<std::string>();
  const auto mode = state.find("mode");
  CORAG_CHECK(mode != state.end() && mode->is_string(), location, ": 'mode' must be a string");
  read.mode = enum_from_name<TrainMode>(mode->get<std::string>(), location + ": mode");
  // Which of these the mode needs, and their ranges, the run checks against its config.
  read.round = integer_field(state, "round", location, 0, false);
  read.step = integer_field(state, "step", location, 0, false);
  read.client = integer_field(state, "client", location, 0, false);
  read.metrics_lines = integer_field(state, "metrics_lines", location, 0, true);
  read.scalars_lines = integer_field(state, "scalars_lines", location, -1, false);
  const auto elapsed = state.find("elapsed_s");
  if (elapsed != state.end()) {
    CORAG_CHECK(elapsed->is_number() && elapsed->get<double>() >= 0, location,
                ": 'elapsed_s' must be seconds >= 0, got ", elapsed->dump());
    read.elapsed_s = elapsed->get<double>();
  }
  const auto others = state.find("other_clients");
  if (others != state.end()) {
    CORAG_CHECK(others->is_array(), location, ": 'other_clients' must be an array");
    for (std::size_t i = 0; i < others->size(); ++i) {
      const auto& other = (*others)[i];
      const auto where = location + ": other_clients[" + std::to_string(i) + "]";
      CORAG_CHECK(other.is_object(), where, ": expected a JSON object");
      OtherClient read_other;
      read_other.client = integer_field(other, "client", where, 0, true);
      read_other.step = integer_field(other, "step", where, 0, true);
      const auto records = other.find("records");
      CORAG_CHECK(records != other.end() && records->is_array(), where, ": 'records' must be an array");
      for (const auto& record : *records) {
        CORAG_CHECK(record.is_object(), where, ": 'records' must hold JSON objects");
        read_other.records.push_back(record);
      }
      const auto scalars = other.find("scalars");
      CORAG_CHECK(scalars != other.end() && scalars->is_array(), where, ": 'scalars' must be an array");
      for (const auto& line : *scalars) {
        CORAG_CHECK(line.is_string(), where, ": 'scalars' must hold strings");
        read_other.scalars.push_back(line.get<std::string>());
      }
      read.other_clients.push_back(std::move(read_other));
    }
  }
  return read;
}

std::filesystem::path RunState::client_folder(const std::filesystem::path& checkpoint, std::int64_t of_client) const {
  if (of_client == client) return checkpoint;
  return checkpoint / "clients" / ("client_" + std::to_string(of_client));
}

}  // namespace corag
