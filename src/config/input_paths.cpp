#include "corag/config/input_paths.hpp"

#include <filesystem>
#include <system_error>

#include "corag/util/error.hpp"

namespace corag {
namespace {

/// Why `input` cannot be used, or "" when it can.
std::string input_problem(const InputPath& input) {
  std::error_code error;
  const auto status = std::filesystem::status(input.path, error);
  if (!std::filesystem::exists(status))
    return "no such " + std::string(input.kind == InputKind::file ? "file" : "folder");
  if (input.kind == InputKind::directory && !std::filesystem::is_directory(status)) return "not a folder";
  if (input.kind == InputKind::file && !std::filesystem::is_regular_file(status)) return "not a regular file";
  return "";
}

}  // namespace

void require_config_inputs(const std::vector<InputPath>& inputs, const std::string& what) {
  std::string problems;
  std::size_t count = 0;
  for (const auto& input : inputs) {
    if (input.path.empty()) continue;
    const auto problem = input_problem(input);
    if (problem.empty()) continue;
    problems += "\n  " + input.key + ": " + input.path + ": " + problem;
    ++count;
  }
  CORAG_CHECK(count == 0, what, ": ", count == 1 ? "an input" : std::to_string(count) + " inputs",
              " named by the config cannot be read:", problems);
}

}  // namespace corag
