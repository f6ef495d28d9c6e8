// Shared by the libFuzzer targets (scripts/fuzz.sh builds and runs them): each target feeds one
// input to one of corag's readers of outside files. A corag::Error is the reader refusing bad
// input, which is what should happen; anything else (a crash, a sanitizer report, another
// exception escaping) is a finding.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag::fuzz {

/// This fuzzing process's scratch folder, removed at exit.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    // A memory filesystem where there is one: the readers' atomic writes fsync, which costs
    // nothing there.
    const std::filesystem::path memory = "/dev/shm";
    const auto base = std::filesystem::is_directory(memory) ? memory : std::filesystem::temp_directory_path();
    auto path = base / ("corag-fuzz-" + std::to_string(::getpid()));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
    std::atexit([] { std::filesystem::remove_all(scratch()); });
    return path;
  }();
  return dir;
}

inline void write_bytes(const std::filesystem::path& path, const std::uint8_t* data, std::size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

/// Writes the input to `scratch()/name` and returns the path.
inline std::filesystem::path input_file(const std::string& name, const std::uint8_t* data, std::size_t size) {
  const auto path = scratch() / name;
  write_bytes(path, data, size);
  return path;
}

/// Runs `action`; a corag::Error (a clean refusal) ends it, anything else escapes.
template <typename Action>
void refusal_is_fine(Action&& action) {
  try {
    action();
  } catch (const Error&) {
  }
}

/// The files of a fixture a target builds once (an index, a store), of which each input replaces
/// one: its first byte picks the file, the rest is the file's new content. With
/// CORAG_FUZZ_SEEDS=DIR set, each valid file is written into DIR so prefixed, which is how the
/// seed corpus of such targets in tests/fuzz/corpus was made.
class FixtureFiles {
 public:
  struct File {
    std::string seed_name;
    std::filesystem::path path;
  };

  explicit FixtureFiles(std::vector<File> files) : files_(std::move(files)) {
    const char* seeds = std::getenv("CORAG_FUZZ_SEEDS");
    for (std::size_t i = 0; i < files_.size(); ++i) {
      originals_.push_back(read_file(files_[i].path));
      if (seeds == nullptr) continue;
      std::filesystem::create_directories(seeds);
      std::ofstream out(std::filesystem::path(seeds) / files_[i].seed_name, std::ios::binary);
      out.put(static_cast<char>(i));
      out << originals_.back();
    }
  }

  /// Runs `action(choice)` with the chosen file replaced by the input, then restores the file.
  template <typename Action>
  void fuzz_one(const std::uint8_t* data, std::size_t size, Action&& action) const {
    if (size == 0) return;
    const auto choice = data[0] % files_.size();
    write_bytes(files_[choice].path, data + 1, size - 1);
    refusal_is_fine([&] { action(choice); });
    const auto& original = originals_[choice];
    write_bytes(files_[choice].path, reinterpret_cast<const std::uint8_t*>(original.data()), original.size());
  }

 private:
  std::vector<File> files_;
  std::vector<std::string> originals_;
};

}  // namespace corag::fuzz
