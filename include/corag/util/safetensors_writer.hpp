#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "corag/util/safetensors_format.hpp"

namespace corag {

struct NamedTensor {
  std::string name;
  torch::Tensor tensor;
};

/// Writes `tensors` (any device, any layout) to one safetensors file, atomically. Layout follows
/// the reference implementation: header padded with spaces to a multiple of 8 bytes, tensors
/// ordered by decreasing element size then name so that every tensor is aligned for its dtype.
/// Tensors are streamed one at a time; the whole model is never copied at once.
void write_safetensors(const std::filesystem::path& path, const std::vector<NamedTensor>& tensors,
                       const SafetensorsMetadata& metadata = {});

/// Bytes one safetensors file of `tensors` will occupy (header included).
std::uint64_t safetensors_file_size(const std::vector<NamedTensor>& tensors, const SafetensorsMetadata& metadata = {});

}  // namespace corag
