#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <torch/types.h>

namespace corag {

/// The element types of the safetensors format that corag reads and writes.
enum class SafetensorsDtype { F64, F32, F16, BF16, I64, I32, I16, I8, U8, BOOL };

/// The format's spelling ("F32", "BF16", ...).
std::string_view safetensors_dtype_name(SafetensorsDtype dtype);
/// Inverse of safetensors_dtype_name; nullopt for names corag does not support.
std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view name);
std::size_t element_size(SafetensorsDtype dtype);
torch::ScalarType to_torch_dtype(SafetensorsDtype dtype);
/// Throws corag::Error naming `what` when torch's dtype has no safetensors spelling here.
SafetensorsDtype from_torch_dtype(torch::ScalarType dtype, std::string_view what);

/// "[2, 3]": a shape as error messages and listings print it.
std::string shape_text(const std::vector<std::int64_t>& shape);

/// String-to-string pairs of the header's `__metadata__` entry.
using SafetensorsMetadata = std::map<std::string, std::string>;

/// One tensor of a safetensors file as its header describes it.
struct SafetensorsEntry {
  std::string name;
  SafetensorsDtype dtype;
  std::vector<std::int64_t> shape;
  /// Byte range [begin, end) relative to the start of the data buffer (after the header).
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

/// The largest header accepted, as in the reference implementation.
inline constexpr std::uint64_t kMaxSafetensorsHeaderBytes = 100'000'000;

}  // namespace corag
