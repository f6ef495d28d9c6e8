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

#include "corag/util/error.hpp"

namespace corag::fuzz {

/// This fuzzing process's scratch folder, removed at exit.
inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    auto path = std::filesystem::temp_directory_path() / ("corag-fuzz-" + std::to_string(::getpid()));
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

/// Targets that fuzz one file of a fixture they build (an index, a store) take a selector byte
/// and the file's bytes; with CORAG_FUZZ_SEEDS=DIR set they write each valid file so prefixed
/// into DIR, which is how their seed corpus in tests/fuzz/corpus was made.
inline void write_seed(const std::string& name, std::uint8_t selector, const std::string& contents) {
  const char* dir = std::getenv("CORAG_FUZZ_SEEDS");
  if (dir == nullptr) return;
  std::filesystem::create_directories(dir);
  std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary);
  out.put(static_cast<char>(selector));
  out << contents;
}

/// Runs `action`; a corag::Error (a clean refusal) ends it, anything else escapes.
template <typename Action>
void refusal_is_fine(Action&& action) {
  try {
    action();
  } catch (const Error&) {
  }
}

}  // namespace corag::fuzz
