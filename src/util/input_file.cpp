#include "corag/util/input_file.hpp"

#include "corag/util/error.hpp"

namespace corag {

void require_input_file(const std::filesystem::path& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  CORAG_CHECK(std::filesystem::exists(status), path.string(),
              ": cannot open: ", error ? error.message() : "no such file");
  CORAG_CHECK(std::filesystem::is_regular_file(status), path.string(), ": not a regular file");
}

void require_output_apart_from_input(const std::filesystem::path& output, const std::filesystem::path& input) {
  std::error_code error;
  CORAG_CHECK(!std::filesystem::equivalent(output, input, error), output.string(), ": is the input file ",
              input.string(), "; writing it would replace that input, choose another output");
}

}  // namespace corag
