#include "corag/util/atomic_file.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::read_text;
using corag::test::TempDir;

namespace {
std::size_t entries_in(const std::filesystem::path& dir) {
  std::size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++count;
  return count;
}
}  // namespace

TEST_CASE("atomic write replaces the file and creates parent directories", "[util][atomic]") {
  TempDir dir;
  const auto path = dir / "a/b/out.txt";
  write_file_atomically(path, "first");
  CHECK(read_text(path) == "first");
  write_file_atomically(path, [](std::ostream& out) { out << "second " << 2; });
  CHECK(read_text(path) == "second 2");
  CHECK(entries_in(dir / "a/b") == 1);  // no temporary file left behind
}

TEST_CASE("atomic write leaves no partial file when the writer throws mid-way", "[util][atomic]") {
  TempDir dir;
  const auto path = dir / "out.bin";
  const std::string big(3 << 20, 'x');  // larger than the writer's buffer: bytes reach the temp file
  const auto failing = [&](std::ostream& out) {
    out << big;
    throw std::runtime_error("disk on fire");
  };

  SECTION("no file before") {
    CHECK_THROWS_WITH(write_file_atomically(path, failing), "disk on fire");
    CHECK_FALSE(std::filesystem::exists(path));
    CHECK(entries_in(dir.path()) == 0);
  }
  SECTION("an old file keeps its content") {
    write_file_atomically(path, "old");
    CHECK_THROWS_WITH(write_file_atomically(path, failing), "disk on fire");
    CHECK(read_text(path) == "old");
    CHECK(entries_in(dir.path()) == 1);
  }
}

TEST_CASE("an atomic directory replaces the old one whole, or leaves it as it was", "[util][atomic]") {
  TempDir dir;
  const auto fill_with = [](const std::string& text) {
    return [text](const std::filesystem::path& folder) { corag::test::write_text(folder / "file", text); };
  };
  write_directory_atomically(dir / "model", fill_with("old"));
  CHECK_THROWS_WITH(
      write_directory_atomically(dir / "model", [](const std::filesystem::path&) { throw std::runtime_error("kill"); }),
      "kill");
  CHECK(read_text(dir / "model/file") == "old");
  write_directory_atomically(dir / "model", fill_with("new"));
  CHECK(read_text(dir / "model/file") == "new");
  CHECK(entries_in(dir / "model") == 1);
  // Only the half-filled temporary of the failed attempt was left, and replacing removed it.
  CHECK(entries_in(dir.path()) == 1);

  remove_directory_atomically(dir / "model");
  CHECK(entries_in(dir.path()) == 0);
  remove_directory_atomically(dir / "model");  // already gone: nothing to do
  CHECK(entries_in(dir.path()) == 0);
}

TEST_CASE("atomic write into an unwritable place is a clear error", "[util][atomic]") {
  TempDir dir;
  corag::test::write_text(dir / "file", "x");
  CHECK_THAT(corag::test::error_message([&] { write_file_atomically(dir / "file/child", "y"); }),
             Catch::Contains("cannot create"));
}

TEST_CASE("stale temporaries of killed writers are removed, nothing else is", "[util][atomic]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "deep/er");
  std::filesystem::create_directories(dir / "checkpoints/.ckpt-000002.tmp/reader");
  test::write_text(dir / "summary.json", "{}");
  test::write_text(dir / ".summary.json.tmp-Ab12Cd", "{\"half");
  test::write_text(dir / "deep/er/.metrics.jsonl.tmp-Zz99Yy", "x");
  test::write_text(dir / "checkpoints/.ckpt-000002.tmp/reader/config.json", "{}");
  test::write_text(dir / "notes.tmp-1", "a user's file, not hidden");
  test::write_text(dir / ".hidden", "kept");
  CHECK(remove_stale_temporaries(dir.path()) == 3);
  CHECK(std::filesystem::exists(dir / "summary.json"));
  CHECK(std::filesystem::exists(dir / "notes.tmp-1"));
  CHECK(std::filesystem::exists(dir / ".hidden"));
  CHECK(std::filesystem::exists(dir / "deep/er"));
  CHECK_FALSE(std::filesystem::exists(dir / ".summary.json.tmp-Ab12Cd"));
  CHECK_FALSE(std::filesystem::exists(dir / "deep/er/.metrics.jsonl.tmp-Zz99Yy"));
  CHECK_FALSE(std::filesystem::exists(dir / "checkpoints/.ckpt-000002.tmp"));
  CHECK(remove_stale_temporaries(dir.path()) == 0);
}
