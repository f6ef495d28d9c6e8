#include <chrono>
#include <optional>
#include <thread>

#include <sys/stat.h>

#include <ATen/Parallel.h>

#include "corag/util/child_process.hpp"
#include "corag/util/device.hpp"
#include "corag/util/file_checksum.hpp"
#include "corag/util/input_file.hpp"
#include "corag/util/json_strict.hpp"
#include "corag/util/line_reader.hpp"
#include "corag/util/mapped_file.hpp"
#include "corag/util/metrics_writer.hpp"
#include "corag/util/nearest_name.hpp"
#include "corag/util/parallel_workers.hpp"
#include "corag/util/progress_bar.hpp"
#include "corag/util/run_progress.hpp"
#include "corag/util/sha256.hpp"
#include "corag/util/utf8.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::read_text;
using corag::test::TempDir;
using corag::test::write_text;

extern "C" int openblas_get_num_threads() __attribute__((weak));

TEST_CASE("UTF-8 well-formedness follows RFC 3629 (the Unicode standard's table 3-7)", "[util]") {
  CHECK_FALSE(first_invalid_utf8(""));
  CHECK_FALSE(first_invalid_utf8("plain ASCII\n"));
  CHECK_FALSE(first_invalid_utf8("\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e"));  // U+00E9, U+20AC, U+1D11E
  CHECK_FALSE(first_invalid_utf8("\xef\xbf\xbf\xf4\x8f\xbf\xbf"));            // U+FFFF, U+10FFFF
  CHECK(first_invalid_utf8("a\xc0\xaf") == 1u);                               // overlong '/' (two bytes)
  CHECK(first_invalid_utf8("ab\xe0\x80\xaf") == 2u);                          // overlong '/' (three bytes)
  CHECK(first_invalid_utf8("\xf0\x80\x80\xaf") == 0u);                        // overlong '/' (four bytes)
  CHECK(first_invalid_utf8("\xed\xa0\x80") == 0u);                            // a UTF-16 surrogate, U+D800
  CHECK(first_invalid_utf8("\xf4\x90\x80\x80") == 0u);                        // U+110000, past Unicode
  CHECK(first_invalid_utf8("x\xf5\x80\x80\x80") == 1u);                       // a lead byte no sequence has
  CHECK(first_invalid_utf8("\xe2\x82") == 0u);                                // cut short at the end
  CHECK(first_invalid_utf8("\xc3\xa9\x80") == 2u);                            // a lone continuation byte
  CHECK(first_invalid_utf8("\xc3\x28") == 0u);                                // a lead byte without its continuation
  CHECK(first_invalid_utf8("ok \xe2\x82\xac \xff") == 7u);
}

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

TEST_CASE("a run's status: share done and the ETA at this invocation's rate", "[util][progress]") {
  // A resumed run: 10 of 100 steps done before, 20 more in 40 s (0.5/s), 70 left -> 140 s.
  CHECK(render_run_status(30, 100, 10, 40.0) == "run 30.0% ETA 2m20s");
  CHECK(render_run_status(10, 100, 10, 5.0) == "run 10.0% ETA ?");  // no step yet this time
  CHECK(render_run_status(0, 8, 0, 0.0) == "run 0.0% ETA ?");
  CHECK(render_run_status(8, 8, 0, 12.0) == "run 100.0%");
  RunProgress progress(4, 1);
  CHECK(progress.status() == "run 25.0% ETA ?");
  progress.advance(3);
  CHECK(progress.status() == "run 100.0%");
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
  CHECK(render_progress_line("train", 3, 4, 1.5, "steps", "loss 2.5000") ==
        "train  3/4 [==================>     ]  75.0%  2.0 steps/s  ETA 0.5s  loss 2.5000");
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

TEST_CASE("child process: exit status, output in its log, killed with its owner", "[util][child]") {
  TempDir dir;
  ChildProcess exits({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}, dir / "exits.log");
  CHECK(exits.wait() == 3);
  CHECK(exits.poll() == 3);
  CHECK(read_text(dir / "exits.log") == "out\nerr\n");

  ChildProcess polled({"/bin/sh", "-c", "exit 0"}, dir / "polled.log");
  std::optional<int> status;
  while (!(status = polled.poll())) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  CHECK(*status == 0);

  const auto start = std::chrono::steady_clock::now();
  {
    ChildProcess sleeper({"/bin/sleep", "30"}, dir / "sleeper.log");
    CHECK_FALSE(sleeper.poll());
  }  // its owner is gone: the child is stopped and reaped, not waited for
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));

  CHECK(error_message([&] {
          ChildProcess({"/bin/sh", "-c", "true"}, dir / "missing" / "x.log");
        }).find("cannot start /bin/sh") != std::string::npos);
}

TEST_CASE("set_thread_count governs LibTorch, OpenMP and OpenBLAS's own pool", "[util][threads]") {
  const auto before = at::get_num_threads();
  set_thread_count(1);
  CHECK(at::get_num_threads() == 1);
  // OpenBLAS is there on Debian's LibTorch; MKL builds have none to govern.
  if (openblas_get_num_threads != nullptr) CHECK(openblas_get_num_threads() == 1);
  set_thread_count(2);
  if (openblas_get_num_threads != nullptr) CHECK(openblas_get_num_threads() == resolve_thread_count(2));
  set_thread_count(before);
  // More threads than cores are cut to the cores (runtime.threads: 4096 hung the process).
  const auto cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  CHECK(resolve_thread_count(4096) == cores);
  CHECK(resolve_thread_count(0) == cores);
  CHECK(resolve_thread_count(1) == 1);
}

TEST_CASE("readers refuse a FIFO, a directory or a missing path before opening it", "[util][input]") {
  // Opening a FIFO for reading blocks until a writer comes: each reader would hang (issue 24).
  TempDir dir;
  const auto fifo = dir / "weights.safetensors";
  REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
  for (const auto& path : {fifo, dir.path()}) {
    INFO(path.string());
    CHECK(error_message([&] { MappedFile file(path); }).find(path.string() + ": not a regular file") !=
          std::string::npos);
    CHECK(error_message([&] { LineReader reader(path); }).find("not a regular file") != std::string::npos);
    CHECK(error_message([&] { read_json_file(path); }).find("not a regular file") != std::string::npos);
    CHECK(error_message([&] { file_checksum(path); }).find("not a regular file") != std::string::npos);
  }
  CHECK(error_message([&] { require_input_file(dir / "missing.json"); }).find("missing.json: cannot open") !=
        std::string::npos);
  write_text(dir / "plain.json", "{}");
  CHECK_NOTHROW(require_input_file(dir / "plain.json"));

  // An output naming its own input (`generate --input F --out F` replaced F).
  std::filesystem::create_symlink(dir / "plain.json", dir / "alias.json");
  for (const auto& output : {dir / "plain.json", dir / "alias.json", dir / "." / "plain.json"}) {
    INFO(output.string());
    CHECK(error_message([&] {
            require_output_apart_from_input(output, dir / "plain.json");
          }).find("is the input file") != std::string::npos);
  }
  CHECK_NOTHROW(require_output_apart_from_input(dir / "new.json", dir / "plain.json"));
  CHECK_NOTHROW(require_output_apart_from_input(dir / "alias.json", dir / "missing.json"));
}

TEST_CASE("an output folder inside an input folder is refused", "[util]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "models/reader");
  std::filesystem::create_directory_symlink(dir / "models", dir / "link");
  for (const auto& out : {dir / "models", dir / "models/reader/run", dir / "link/new", dir / "models/../models/x/"}) {
    INFO(out.string());
    CHECK_THAT(error_message([&] { require_output_outside(out, dir / "models"); }),
               Catch::Contains("is inside the input folder"));
  }
  CHECK_NOTHROW(require_output_outside(dir / "models-run", dir / "models"));
  CHECK_NOTHROW(require_output_outside(dir / "runs/a", dir / "models"));
  CHECK_NOTHROW(require_output_outside(dir / "models", dir / "models/reader"));
  CHECK_NOTHROW(require_output_outside(dir / "models", ""));
}

TEST_CASE("SHA-256 of texts and files matches the FIPS 180-2 test vectors", "[util]") {
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // One million 'a's, fed in pieces that do not align with the 64-byte block.
  Sha256 hash;
  const std::string piece(1000, 'a');
  for (int i = 0; i < 1000; ++i) hash.update(piece.data(), piece.size());
  CHECK(hash.hex() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  TempDir dir;
  write_text(dir / "abc.txt", "abc");
  CHECK(file_sha256(dir / "abc.txt") == sha256_hex("abc"));
}
