// A run's TensorBoard file from its scalars.csv and metrics.jsonl: which scalars, at which steps.
#include <nlohmann/json.hpp>

#include "corag/train/tensorboard_export.hpp"
#include "corag/util/tensorboard_events.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::read_text;
using corag::test::TempDir;
using corag::test::write_text;

TEST_CASE("TensorBoard export: per-step scalars numbered per client, test scores at their round",
          "[train][tensorboard]") {
  TempDir dir;
  write_text(dir / "scalars.csv",
             "who,round,step,loss_reader,loss_retriever,lr_reader,lr_retriever,grad_norm\n"
             "client1,1,1,5.5,0,0.003,5e-05,2.5\n"
             "client2,1,1,4.5,0,0.003,5e-05,2\n"
             "client1,2,1,3.5,0.25,0.001,1e-05,1.5\n");
  write_text(dir / "metrics.jsonl", R"({"split":"test","client":1,"round":2,"em":12.5,"f1":20})"
                                    "\n"
                                    R"({"split":"dev","client":1,"round":2,"em":99})"
                                    "\n");
  const auto file = export_tensorboard(dir.path());
  CHECK(file == dir / "tensorboard/events.out.tfevents.0.corag");
  // client1's second row is its step 2 whatever its round-local step; dev records are not plotted.
  std::vector<TensorBoardScalar> expected;
  for (const auto& [who, step, values] : std::vector<std::tuple<std::string, int, std::vector<float>>>{
           {"client1", 1, {5.5f, 0, 0.003f, 5e-05f, 2.5f}},
           {"client2", 1, {4.5f, 0, 0.003f, 5e-05f, 2}},
           {"client1", 2, {3.5f, 0.25f, 0.001f, 1e-05f, 1.5f}}}) {
    const std::vector<std::string> names = {"loss_reader", "loss_retriever", "lr_reader", "lr_retriever", "grad_norm"};
    for (std::size_t i = 0; i < names.size(); ++i) expected.push_back({names[i] + "/" + who, step, values[i]});
  }
  expected.push_back({"test_em/client_1", 2, 12.5f});
  expected.push_back({"test_f1/client_1", 2, 20.0f});
  CHECK(read_text(file) == tensorboard_events(expected, 0.0));

  write_text(dir / "scalars.csv", "who,round,step,loss_reader\nclient1,1,1,five\n");
  CHECK_THAT(error_message([&] { export_tensorboard(dir.path()); }),
             Catch::Contains("scalars.csv:2") && Catch::Contains("loss_reader 'five'"));
}
