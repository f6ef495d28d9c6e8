#include "corag/train/run_summary.hpp"

#include <cstdio>
#include <map>
#include <sstream>

#include "corag/util/error.hpp"

namespace corag {
namespace {

nlohmann::json client_entry(const nlohmann::json& record) {
  nlohmann::json entry = {{"client", record.at("client")}, {"em", record.at("em")}, {"f1", record.at("f1")},
                          {"n", record.at("n")}};
  for (const char* key : {"round", "step"}) {
    if (record.contains(key)) entry[key] = record.at(key);
  }
  return entry;
}

}  // namespace

std::string format_percent(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", value);
  return text;
}

void ClientScores::add(const nlohmann::json& record) {
  const double em = record.at("em").get<double>(), f1 = record.at("f1").get<double>();
  const double n = record.at("n").get<double>();
  clients_.push_back(client_entry(record));
  em_sum_ += em;
  f1_sum_ += f1;
  weighted_em_ += em * n;
  weighted_f1_ += f1 * n;
  questions_ += n;
}

double ClientScores::em(bool micro) const {
  if (micro) return questions_ > 0 ? weighted_em_ / questions_ : 0.0;
  return clients_.empty() ? 0.0 : em_sum_ / static_cast<double>(clients_.size());
}

double ClientScores::f1(bool micro) const {
  if (micro) return questions_ > 0 ? weighted_f1_ / questions_ : 0.0;
  return clients_.empty() ? 0.0 : f1_sum_ / static_cast<double>(clients_.size());
}

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
    ClientScores bests;
    for (const auto& [client, entry] : best) bests.add(entry);
    summary["clients"] = bests.clients();
    summary["average"] = {{"em", bests.em(false)}, {"f1", bests.f1(false)}, {"clients", bests.count()}};
    summary["best"] = {{"selection", "each client's best test EM"}, {"em", bests.em(false)}, {"f1", bests.f1(false)}};
    return summary;
  }
  const char* key = mode == "collaborative" ? "round" : "step";
  const bool micro = mode == "centralized";
  std::map<std::int64_t, ClientScores> points;
  for (const auto* record : tests) points[record->at(key).get<std::int64_t>()].add(*record);
  auto best = points.begin();
  for (auto it = points.begin(); it != points.end(); ++it) {
    if (it->second.em(micro) > best->second.em(micro)) best = it;
  }
  const auto& scores = best->second;
  summary["best"] = {{key, best->first},
                     {"selection", micro ? "best micro-averaged test EM" : "best client-averaged test EM"},
                     {"em", scores.em(micro)},
                     {"f1", scores.f1(micro)}};
  summary["clients"] = scores.clients();
  summary["average"] = {{"em", scores.em(micro)},
                        {"f1", scores.f1(micro)},
                        {"clients", scores.count()},
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
