#include "corag/util/safetensors_writer.hpp"

#include <algorithm>
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"

namespace corag {
namespace {

struct PlannedTensor {
  const NamedTensor* source;
  SafetensorsDtype dtype;
  std::uint64_t bytes;
};

struct Plan {
  std::string header;  // padded JSON
  std::vector<PlannedTensor> order;
  std::uint64_t data_bytes = 0;
};

Plan plan_file(const std::vector<NamedTensor>& tensors, const SafetensorsMetadata& metadata) {
  Plan plan;
  std::set<std::string_view> names;
  for (const auto& named : tensors) {
    CORAG_CHECK(named.name != "__metadata__", "'__metadata__' is reserved and cannot name a tensor");
    CORAG_CHECK(names.insert(named.name).second, "duplicate tensor name '", named.name, "'");
    CORAG_CHECK(named.tensor.defined(), "tensor '", named.name, "' is undefined");
    const auto dtype = from_torch_dtype(named.tensor.scalar_type(), "tensor '" + named.name + "'");
    plan.order.push_back({&named, dtype, static_cast<std::uint64_t>(named.tensor.numel()) * element_size(dtype)});
  }
  std::stable_sort(plan.order.begin(), plan.order.end(), [](const auto& a, const auto& b) {
    const auto size_a = element_size(a.dtype), size_b = element_size(b.dtype);
    return size_a != size_b ? size_a > size_b : a.source->name < b.source->name;
  });

  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header["__metadata__"] = metadata;
  for (const auto& planned : plan.order) {
    header[planned.source->name] = {{"dtype", std::string(safetensors_dtype_name(planned.dtype))},
                                    {"shape", planned.source->tensor.sizes().vec()},
                                    {"data_offsets", {plan.data_bytes, plan.data_bytes + planned.bytes}}};
    plan.data_bytes += planned.bytes;
  }
  plan.header = header.dump();
  plan.header.append((8 - plan.header.size() % 8) % 8, ' ');
  return plan;
}

}  // namespace

std::uint64_t safetensors_file_size(const std::vector<NamedTensor>& tensors, const SafetensorsMetadata& metadata) {
  const Plan plan = plan_file(tensors, metadata);
  return 8 + plan.header.size() + plan.data_bytes;
}

void write_safetensors(const std::filesystem::path& path, const std::vector<NamedTensor>& tensors,
                       const SafetensorsMetadata& metadata) {
  const Plan plan = plan_file(tensors, metadata);
  AtomicFileWriter writer(path);
  const std::uint64_t header_size = plan.header.size();
  unsigned char length[8];
  std::memcpy(length, &header_size, sizeof length);  // little-endian hosts only (static_assert'ed)
  writer.write(length, sizeof length);
  writer.write(plan.header.data(), plan.header.size());
  for (const auto& planned : plan.order) {
    if (planned.bytes == 0) continue;
    const torch::Tensor cpu = planned.source->tensor.detach().to(torch::kCPU).contiguous();
    writer.write(cpu.data_ptr(), planned.bytes);
  }
  writer.commit();
}

}  // namespace corag
