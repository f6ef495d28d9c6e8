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

void require_output_outside(const std::filesystem::path& output, const std::filesystem::path& input) {
  if (input.empty()) return;
  const auto out = std::filesystem::weakly_canonical(std::filesystem::absolute(output));
  const auto in = std::filesystem::weakly_canonical(std::filesystem::absolute(input));
  auto out_part = out.begin();
  for (auto in_part = in.begin(); in_part != in.end(); ++in_part, ++out_part) {
    if (in_part->empty()) continue;  // the trailing empty element of "dir/"
    if (out_part == out.end() || *out_part != *in_part) return;
  }
  throw_error(output.string(), ": is inside the input folder ", input.string(),
              "; writing there would change what this command reads, choose another output");
}

}  // namespace corag
