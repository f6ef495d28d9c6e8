#include "corag/util/safetensors_format.hpp"

#include <array>
#include <utility>

#include "corag/util/error.hpp"

namespace corag {
namespace {

struct DtypeInfo {
  SafetensorsDtype dtype;
  std::string_view name;
  std::size_t size;
  torch::ScalarType torch_type;
};

constexpr std::array<DtypeInfo, 10> kDtypes{{
    {SafetensorsDtype::F64, "F64", 8, torch::kFloat64},
    {SafetensorsDtype::F32, "F32", 4, torch::kFloat32},
    {SafetensorsDtype::F16, "F16", 2, torch::kFloat16},
    {SafetensorsDtype::BF16, "BF16", 2, torch::kBFloat16},
    {SafetensorsDtype::I64, "I64", 8, torch::kInt64},
    {SafetensorsDtype::I32, "I32", 4, torch::kInt32},
    {SafetensorsDtype::I16, "I16", 2, torch::kInt16},
    {SafetensorsDtype::I8, "I8", 1, torch::kInt8},
    {SafetensorsDtype::U8, "U8", 1, torch::kUInt8},
    {SafetensorsDtype::BOOL, "BOOL", 1, torch::kBool},
}};

const DtypeInfo& info(SafetensorsDtype dtype) {
  for (const auto& entry : kDtypes) {
    if (entry.dtype == dtype) return entry;
  }
  throw_error("internal error: unlisted safetensors dtype ", static_cast<int>(dtype));
}

}  // namespace

std::string_view safetensors_dtype_name(SafetensorsDtype dtype) { return info(dtype).name; }

std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view name) {
  for (const auto& entry : kDtypes) {
    if (entry.name == name) return entry.dtype;
  }
  return std::nullopt;
}

std::size_t element_size(SafetensorsDtype dtype) { return info(dtype).size; }

torch::ScalarType to_torch_dtype(SafetensorsDtype dtype) { return info(dtype).torch_type; }

SafetensorsDtype from_torch_dtype(torch::ScalarType dtype, std::string_view what) {
  for (const auto& entry : kDtypes) {
    if (entry.torch_type == dtype) return entry.dtype;
  }
  throw_error(what, ": dtype ", c10::toString(dtype), " cannot be stored in safetensors");
}

std::string shape_text(const std::vector<std::int64_t>& shape) {
  std::string text = "[";
  for (std::size_t i = 0; i < shape.size(); ++i) text += (i ? ", " : "") + std::to_string(shape[i]);
  return text + "]";
}

}  // namespace corag
