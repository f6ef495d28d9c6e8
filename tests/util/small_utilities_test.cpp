#include "corag/util/metrics_writer.hpp"
#include "corag/util/nearest_name.hpp"
#include "corag/util/progress_bar.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::read_text;
using corag::test::TempDir;

TEST_CASE("edit distance and nearest-name suggestions", "[util]") {
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("same", "same") == 0);
  CHECK(edit_distance("trian", "train") == 1);  // adjacent swap
  CHECK(edit_distance("ca", "abc") == 3);       // no edits of a swapped pair
  CHECK(nearest_name("stpes", {"steps", "seed"}) == "steps");
  const std::vector<std::string> keys{"lr", "steps", "warmup_steps", "batch_size"};
  CHECK(nearest_name("lrr", keys) == "lr");
  CHECK(nearest_name("warmup_step", keys) == "warmup_steps");
  CHECK(nearest_name("batchsize", keys) == "batch_size");
  CHECK(nearest_name("completely_different", keys).empty());
}

TEST_CASE("progress lines show count, rate and ETA", "[util][progress]") {
  CHECK(format_duration(0.42) == "0.4s");
  CHECK(format_duration(42) == "42s");
  CHECK(format_duration(185) == "3m05s");
  CHECK(format_duration(7620) == "2h07m");
  // 250 of 1000 in 5 s: 50 items/s, 750 left -> 15 s.
  CHECK(render_progress_line("embed", 250, 1000, 5.0, "items") ==
        "embed  250/1000 [======>                 ]  25.0%  50.0 items/s  ETA 15s");
  CHECK(render_progress_line("embed", 1000, 1000, 4.0, "items") ==
        "embed  1000/1000 [========================] 100.0%  250 items/s  4.0s");
  CHECK(render_progress_line("read", 30, 0, 2.0, "lines") == "read  30 lines  15.0 lines/s  2.0s");
}

TEST_CASE("metrics writer appends whole lines and cuts a partial last line on reopen", "[util][metrics]") {
  TempDir dir;
  const auto path = dir / "run/metrics.jsonl";
  {
    MetricsWriter writer(path);
    writer.write({{"step", 1}, {"em", 12.5}});
    writer.write({{"step", 2}, {"em", 25.0}});
  }
  CHECK(read_text(path) == "{\"em\":12.5,\"step\":1}\n{\"em\":25.0,\"step\":2}\n");
  {
    std::ofstream crash(path, std::ios::app);
    crash << "{\"step\":3,\"e";  // a write cut short by a crash
  }
  MetricsWriter resumed(path);
  resumed.write({{"step", 3}});
  CHECK(read_text(path) == "{\"em\":12.5,\"step\":1}\n{\"em\":25.0,\"step\":2}\n{\"step\":3}\n");
}
