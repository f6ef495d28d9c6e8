#pragma once

#include <cstdint>
#include <filesystem>

#include <torch/types.h>

#include "corag/models/fid_reader.hpp"
#include "test_support.hpp"

namespace corag::test {

/// A random tiny T5 reader (v1.0: relu, tied; v1.1: gated-gelu, untied) saved under `dir`.
std::filesystem::path make_reader(const TempDir& dir, bool v1_1, std::uint64_t seed = 7);
/// A random tiny BERT retriever saved under `dir`.
std::filesystem::path make_retriever(const TempDir& dir, std::uint64_t seed = 3);
/// A reader loaded on the CPU in eval mode (no dropout), 64 context and 16 answer tokens.
FidReader load_reader(const std::filesystem::path& dir);
/// Two questions with two and three passages.
ReaderExample example_a();
ReaderExample example_b();
/// Same shape and no element further apart than `tolerance`.
void check_close(const torch::Tensor& a, const torch::Tensor& b, double tolerance = 1e-5);

}  // namespace corag::test
