#include "corag/train/run_summary.hpp"

#include <cstdio>
#include <map>
#include <sstream>

#include "corag/util/error.hpp"

namespace corag {
namespace {

struct Point {
  std::vector<nlohmann::json> clients;
  double em_sum = 0, f1_sum = 0, weighted_em = 0, weighted_f1 = 0, n = 0;
};

std::string format_percent(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

nlohmann::json client_entry(const nlohmann::json& record) {
  nlohmann::json entry = {{"client", record.at("client")}, {"em", record.at("em")}, {"f1", record.at("f1")},
                          {"n", record.at("n")}};
  for (const char* key : {"round", "step"}) {
    if (record.contains(key)) entry[key] = record.at(key);
  }
  return entry;
}

}  // namespace

nlohmann::json summarize_run(const std::string& mode, const std::vector<nlohmann::json>& records) {
  std::vector<const nlohmann::json*> tests;
  for (const auto& record : records) {
    if (record.value("split", "") == "test") tests.push_back(&record);
  }
  CORAG_CHECK(!tests.empty(), "no test evaluations to summarise");
  nlohmann::json summary = {{"mode", mode}};
  if (mode == "local") {
    std::map<std::int64_t, nlohmann::json> best;
    for (const auto* record : tests) {
      const auto client = record->at("client").get<std::int64_t>();
      auto found = best.find(client);
      if (found == best.end() || record->at("em").get<double>() > found->second.at("em").get<double>()) {
        best[client] = client_entry(*record);
      }
    }
    double em = 0, f1 = 0;
    summary["clients"] = nlohmann::json::array();
    for (const auto& [client, entry] : best) {
      em += entry.at("em").get<double>();
      f1 += entry.at("f1").get<double>();
      summary["clients"].push_back(entry);
    }
    const auto count = static_cast<double>(best.size());
    summary["average"] = {{"em", em / count}, {"f1", f1 / count}, {"clients", best.size()}};
    summary["best"] = {{"selection", "each client's best test EM"}, {"em", em / count}, {"f1", f1 / count}};
    return summary;
  }
  const char* key = mode == "collaborative" ? "round" : "step";
  const bool micro = mode == "centralized";
  std::map<std::int64_t, Point> points;
  for (const auto* record : tests) {
    auto& point = points[record->at(key).get<std::int64_t>()];
    const double n = record->at("n").get<double>();
    point.clients.push_back(client_entry(*record));
    point.em_sum += record->at("em").get<double>();
    point.f1_sum += record->at("f1").get<double>();
    point.weighted_em += record->at("em").get<double>() * n;
    point.weighted_f1 += record->at("f1").get<double>() * n;
    point.n += n;
  }
  const auto score = [&](const Point& point, bool em) {
    if (micro) return point.n > 0 ? (em ? point.weighted_em : point.weighted_f1) / point.n : 0.0;
    return (em ? point.em_sum : point.f1_sum) / static_cast<double>(point.clients.size());
  };
  auto best = points.begin();
  for (auto it = points.begin(); it != points.end(); ++it) {
    if (score(it->second, true) > score(best->second, true)) best = it;
  }
  summary["best"] = {{key, best->first},
                     {"selection", micro ? "best micro-averaged test EM" : "best client-averaged test EM"},
                     {"em", score(best->second, true)},
                     {"f1", score(best->second, false)}};
  summary["clients"] = best->second.clients;
  summary["average"] = {{"em", score(best->second, true)},
                        {"f1", score(best->second, false)},
                        {"clients", best->second.clients.size()},
                        {"averaging", micro ? "micro" : "client"}};
  return summary;
}

std::string render_summary_table(const nlohmann::json& summary) {
  std::ostringstream out;
  const auto& best = summary.at("best");
  out << "**" << summary.at("mode").get<std::string>() << "**";
  if (summary.contains("variant")) out << " (" << summary.at("variant").get<std::string>() << ")";
  out << ": " << best.at("selection").get<std::string>();
  for (const char* key : {"round", "step"}) {
    if (best.contains(key)) out << " (" << key << " " << best.at(key).get<std::int64_t>() << ")";
  }
  // Local runs pick each client's own best point: show which.
  const bool local = summary.at("mode") == "local";
  out << "\n\n| client | EM | F1 | n |" << (local ? " best step |" : "") << "\n| --- | ---: | ---: | ---: |"
      << (local ? " ---: |" : "") << "\n";
  double n = 0;
  for (const auto& client : summary.at("clients")) {
    out << "| " << client.at("client").get<std::int64_t>() << " | " << format_percent(client.at("em").get<double>())
        << " | " << format_percent(client.at("f1").get<double>()) << " | " << client.at("n").get<std::int64_t>() << " |";
    if (local) out << " " << client.value("step", std::int64_t{0}) << " |";
    out << "\n";
    n += client.at("n").get<double>();
  }
  const auto& average = summary.at("average");
  out << "| " << (average.value("averaging", "client") == "micro" ? "micro-avg" : "average") << " | "
      << format_percent(average.at("em").get<double>()) << " | " << format_percent(average.at("f1").get<double>())
      << " | " << static_cast<std::int64_t>(n) << " |" << (local ? " |" : "") << "\n";
  return out.str();
}

}  // namespace corag
