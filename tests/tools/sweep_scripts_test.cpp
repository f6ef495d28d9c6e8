// scripts/sweeps/all.sh end to end on the toy world of `corag demo --quick`: every experiment's
// cells, tables and figures; a rerun trains nothing.
#include <nlohmann/json.hpp>

#include "corag/util/file_checksum.hpp"
#include "test_support.hpp"

using corag::test::read_text;
using corag::test::run_command;
using corag::test::TempDir;

namespace {

nlohmann::json report_json(const std::filesystem::path& sweep, const std::string& table) {
  return nlohmann::json::parse(read_text(sweep / "report" / table / "report.json"));
}

std::vector<std::string> row_labels(const nlohmann::json& report) {
  std::vector<std::string> labels;
  for (const auto& row : report.at("rows")) labels.push_back(row.at("row").get<std::string>());
  return labels;
}

}  // namespace

TEST_CASE("scripts/sweeps/all.sh --quick: tables 1 to 6 and the figures from 2 seeds of every cell", "[e2e][sweep]") {
  TempDir dir;
  const auto sweep = dir / "sweep";
  const std::string command = "bash " CORAG_SOURCE_DIR "/scripts/sweeps/all.sh --quick --seeds 2 --jobs 2 --corag " +
                              std::string(CORAG_CLI_PATH) + " --demo " + (dir / "demo").string() + " --out " +
                              sweep.string();
  const auto first = run_command(dir, command);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);

  const auto table1 = report_json(sweep, "table1");
  CHECK(row_labels(table1) == std::vector<std::string>{"REL", "IRR", "REL-1", "SPLIT"});
  for (const auto& row : table1.at("rows")) {
    CHECK(row.at("cells").at("local").at("n") == 2);
    CHECK(row.at("cells").at("collaborative").at("n") == 2);
  }
  const auto table3 = report_json(sweep, "table3");
  CHECK(row_labels(table3) == std::vector<std::string>{"4", "8"});
  CHECK(table3.at("columns") == nlohmann::json{"closed-book", "local", "centralized", "collaborative"});
  // Table 5: REL and 11 ablation stores, each scored on the test store and on test + train.
  const auto table5 = report_json(sweep, "table5");
  CHECK(table5.at("row_keys") == nlohmann::json{"store.variant", "eval.include_train_store"});
  CHECK(table5.at("rows").size() == 24);
  CHECK(report_json(sweep, "table4").at("columns") ==
        nlohmann::json{"closed-book", "local", "centralized", "collaborative"});
  CHECK(report_json(sweep, "table6").at("rows").size() == 4 * 4);  // 4 stores x 4 clients
  for (const auto* table : {"table1", "table3", "table4", "table5", "table6"}) {
    for (const auto* extension : {"md", "csv", "tex"}) {
      CHECK(std::filesystem::file_size(sweep / "report" / table / (std::string("report.") + extension)) > 0);
    }
  }
  // Each figure is a PNG (and an SVG) stamped with the SHA-256 of the file it was drawn from.
  const auto run = sweep / "runs/REL-8shot-collaborative/seed-0";
  const std::vector<std::pair<std::string, std::filesystem::path>> figures = {
      {"figure1", sweep / "report/table3/report.json"},
      {"figure2", sweep / "report/table6/report.json"},
      {"store-composition", sweep / "report/table5/report.json"},
      {"curves-REL-8shot-collaborative", run / "metrics.jsonl"},
      {"retrieval-REL-8shot-collaborative", run / "metrics.jsonl"}};
  for (const auto& [figure, data] : figures) {
    INFO(figure);
    const auto png = read_text(sweep / "report/figures" / (figure + ".png"));
    CHECK(png.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
    CHECK(png.find(std::string("Source") + '\0' + corag::file_sha256(data)) != std::string::npos);
    CHECK(read_text(sweep / "report/figures" / (figure + ".svg")).find("</svg>") != std::string::npos);
  }

  // Every cell is finished: a rerun trains nothing and rewrites the same tables.
  const auto second = run_command(dir, command);
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  std::size_t idle = 0;
  for (auto at = second.err.find("0 runs to do"); at != std::string::npos; at = second.err.find("0 runs to do", at + 1))
    ++idle;
  CHECK(idle == 4);
  CHECK(report_json(sweep, "table1") == table1);
}
