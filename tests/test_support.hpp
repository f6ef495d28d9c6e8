#pragma once

#include <sys/wait.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "corag/util/error.hpp"

namespace corag::test {

/// A fresh directory under the system temp dir, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "corag-test-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

inline void write_text(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  REQUIRE(out.good());
}

inline std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// The message of the corag::Error that `action` throws; fails the test when it throws none.
template <typename Action>
std::string error_message(Action&& action) {
  try {
    action();
  } catch (const corag::Error& e) {
    return e.what();
  }
  FAIL("expected a corag::Error");
  return {};
}

/// The JSON objects of a JSONL file, one per line.
inline std::vector<nlohmann::json> read_jsonl(const std::filesystem::path& path) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

/// What a command printed and how it exited.
struct CommandResult {
  int exit_code;
  std::string out;
  std::string err;
};

/// The `corag` tool as the end-to-end tests run it: quiet, so that stdout is only its result.
inline const std::string quiet_corag_cli = std::string(CORAG_CLI_PATH) + " --quiet";

/// Runs a shell command with stdout/stderr captured in files under `dir`.
inline CommandResult run_command(const TempDir& dir, const std::string& command) {
  const auto out = dir / "stdout.txt", err = dir / "stderr.txt";
  const int status = std::system((command + " >" + out.string() + " 2>" + err.string() + " </dev/null").c_str());
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), read_text(out), read_text(err)};
}

}  // namespace corag::test
