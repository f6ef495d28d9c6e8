#include "corag/train/run_summary.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "corag/util/error.hpp"

namespace corag {
namespace {

nlohmann::json client_entry(const nlohmann::json& record) {
  nlohmann::json entry = {
      {"client", record.at("client")}, {"em", record.at("em")}, {"f1", record.at("f1")}, {"n", record.at("n")}};
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

std::pair<double, double> mean_and_std(const std::vector<double>& values) {
  CORAG_CHECK(!values.empty(), "mean and standard deviation of no values");
  double mean = 0;
  for (const double v : values) mean += v;
  mean /= static_cast<double>(values.size());
  double squares = 0;
  for (const double v : values) squares += (v - mean) * (v - mean);
  const double std = values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0.0;
  return {mean, std};
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
  if (record.contains("answer_recall")) {
    const double recall = record.at("answer_recall").get<double>();
    recall_sum_ += recall;
    weighted_recall_ += recall * n;
  } else {
    all_have_recall_ = false;
  }
}

std::optional<double> ClientScores::answer_recall(bool micro) const {
  if (!all_have_recall_ || clients_.empty()) return std::nullopt;
  if (micro) return questions_ > 0 ? weighted_recall_ / questions_ : 0.0;
  return recall_sum_ / static_cast<double>(clients_.size());
}

double ClientScores::em(bool micro) const {
  if (micro) return questions_ > 0 ? weighted_em_ / questions_ : 0.0;
  return clients_.empty() ? 0.0 : em_sum_ / static_cast<double>(clients_.size());
}

double ClientScores::f1(bool micro) const {
  if (micro) return questions_ > 0 ? weighted_f1_ / questions_ : 0.0;
  return clients_.empty() ? 0.0 : f1_sum_ / static_cast<double>(clients_.size());
}

namespace {

/// Per eval point (round or step), the scores of every client evaluated there on `split`.
std::map<std::int64_t, ClientScores> scores_by_point(const std::vector<nlohmann::json>& records,
                                                     const std::string& split, const char* key) {
  std::map<std::int64_t, ClientScores> points;
  for (const auto& record : records) {
    if (record.value("split", "") == split) points[record.at(key).get<std::int64_t>()].add(record);
  }
  return points;
}

/// The point with the highest EM (ties to the earlier point).
std::map<std::int64_t, ClientScores>::const_iterator best_point(const std::map<std::int64_t, ClientScores>& points,
                                                                bool micro) {
  auto best = points.begin();
  for (auto it = points.begin(); it != points.end(); ++it) {
    if (it->second.em(micro) > best->second.em(micro)) best = it;
  }
  return best;
}

}  // namespace

nlohmann::json summarize_run(TrainMode mode, const std::vector<nlohmann::json>& records) {
  const char* key = mode == TrainMode::collaborative ? "round" : "step";
  const bool micro = mode == TrainMode::centralized;
  const auto tests = scores_by_point(records, "test", key);
  CORAG_CHECK(!tests.empty(), "no test evaluations to summarise");
  const auto average_name = micro ? "micro-averaged" : "client-averaged";
  const auto best = best_point(tests, micro);
  const auto& scores = best->second;
  nlohmann::json summary = {{"mode", to_string(mode)}};
  summary["best"] = {{key, best->first},
                     {"selection", std::string("best ") + average_name + " test EM across eval points"},
                     {"em", scores.em(micro)},
                     {"f1", scores.f1(micro)}};
  summary["clients"] = scores.clients();
  summary["average"] = {{"em", scores.em(micro)},
                        {"f1", scores.f1(micro)},
                        {"clients", scores.count()},
                        {"averaging", micro ? "micro" : "client"}};
  summary["curve"] = nlohmann::json::array();
  for (const auto& [point, point_scores] : tests) {
    nlohmann::json entry = {{key, point}, {"em", point_scores.em(micro)}};
    if (const auto recall = point_scores.answer_recall(micro)) entry["answer_recall"] = *recall;
    summary["curve"].push_back(entry);
  }
  const auto devs = scores_by_point(records, "dev", key);
  if (!devs.empty()) {
    const auto chosen = best_point(devs, micro);
    const auto test_there = tests.find(chosen->first);
    CORAG_CHECK(test_there != tests.end(), "the best dev point (", key, " ", chosen->first, ") has no test evaluation");
    summary["dev_selected"] = {{key, chosen->first},
                               {"selection", std::string("test EM at the best ") + average_name + " dev EM"},
                               {"dev_em", chosen->second.em(micro)},
                               {"dev_f1", chosen->second.f1(micro)},
                               {"em", test_there->second.em(micro)},
                               {"f1", test_there->second.f1(micro)}};
  }
  return summary;
}

namespace {

nlohmann::json spread(const std::vector<double>& em, const std::vector<double>& f1) {
  const auto [em_mean, em_std] = mean_and_std(em);
  const auto [f1_mean, f1_std] = mean_and_std(f1);
  return {{"mean", {{"em", em_mean}, {"f1", f1_mean}}}, {"std", {{"em", em_std}, {"f1", f1_std}}}};
}

}  // namespace

nlohmann::json summarize_seeds(const std::vector<std::pair<std::int64_t, nlohmann::json>>& runs) {
  CORAG_CHECK(!runs.empty(), "no runs to summarise over seeds");
  nlohmann::json out = {{"seeds", nlohmann::json::array()}, {"n", runs.size()}};
  std::vector<double> em, f1, dev_em, dev_f1;
  for (const auto& [seed, summary] : runs) {
    const auto& best = summary.at("best");
    nlohmann::json entry = {{"seed", seed}, {"em", best.at("em")}, {"f1", best.at("f1")}};
    em.push_back(best.at("em").get<double>());
    f1.push_back(best.at("f1").get<double>());
    if (summary.contains("dev_selected")) {
      const auto& dev = summary.at("dev_selected");
      entry["dev_selected"] = {{"em", dev.at("em")}, {"f1", dev.at("f1")}};
      dev_em.push_back(dev.at("em").get<double>());
      dev_f1.push_back(dev.at("f1").get<double>());
    }
    out["seeds"].push_back(entry);
  }
  out.update(spread(em, f1));
  if (dev_em.size() == runs.size()) out["dev_selected"] = spread(dev_em, dev_f1);
  return out;
}

std::string render_seeds_table(const nlohmann::json& seeds) {
  const bool dev = seeds.contains("dev_selected");
  std::ostringstream out;
  out << "| seed | EM | F1 |" << (dev ? " EM (dev-selected) | F1 (dev-selected) |" : "") << "\n| --- | ---: | ---: |"
      << (dev ? " ---: | ---: |" : "") << "\n";
  for (const auto& entry : seeds.at("seeds")) {
    out << "| " << entry.at("seed").get<std::int64_t>() << " | " << format_percent(entry.at("em").get<double>())
        << " | " << format_percent(entry.at("f1").get<double>()) << " |";
    if (dev) {
      out << " " << format_percent(entry.at("dev_selected").at("em").get<double>()) << " | "
          << format_percent(entry.at("dev_selected").at("f1").get<double>()) << " |";
    }
    out << "\n";
  }
  const auto cell = [](const nlohmann::json& group, const char* metric) {
    return format_percent(group.at("mean").at(metric).get<double>()) + " ± " +
           format_percent(group.at("std").at(metric).get<double>());
  };
  out << "| mean ± std (n = " << seeds.at("n").get<std::int64_t>() << ") | " << cell(seeds, "em") << " | "
      << cell(seeds, "f1") << " |";
  if (dev) out << " " << cell(seeds.at("dev_selected"), "em") << " | " << cell(seeds.at("dev_selected"), "f1") << " |";
  out << "\n";
  return out.str();
}

std::string render_summary_table(const nlohmann::json& summary) {
  std::ostringstream out;
  const auto point_of = [](const nlohmann::json& entry) {
    std::string text;
    for (const char* key : {"round", "step"}) {
      if (entry.contains(key))
        text += std::string(" (") + key + " " + std::to_string(entry.at(key).get<std::int64_t>()) + ")";
    }
    return text;
  };
  const auto& best = summary.at("best");
  out << "**" << summary.at("mode").get<std::string>() << "**";
  if (summary.contains("variant")) out << " (" << summary.at("variant").get<std::string>() << ")";
  out << ": " << best.at("selection").get<std::string>() << point_of(best);
  out << "\n\n| client | EM | F1 | n |\n| --- | ---: | ---: | ---: |\n";
  double n = 0;
  for (const auto& client : summary.at("clients")) {
    out << "| " << client.at("client").get<std::int64_t>() << " | " << format_percent(client.at("em").get<double>())
        << " | " << format_percent(client.at("f1").get<double>()) << " | " << client.at("n").get<std::int64_t>()
        << " |\n";
    n += client.at("n").get<double>();
  }
  const auto& average = summary.at("average");
  out << "| " << (average.value("averaging", "client") == "micro" ? "micro-avg" : "average") << " | "
      << format_percent(average.at("em").get<double>()) << " | " << format_percent(average.at("f1").get<double>())
      << " | " << static_cast<std::int64_t>(n) << " |\n";
  if (summary.contains("dev_selected")) {
    const auto& dev = summary.at("dev_selected");
    out << "\nSelected on dev" << point_of(dev) << ": test EM " << format_percent(dev.at("em").get<double>()) << ", F1 "
        << format_percent(dev.at("f1").get<double>()) << " (dev EM " << format_percent(dev.at("dev_em").get<double>())
        << ")\n";
  }
  return out.str();
}

}  // namespace corag
