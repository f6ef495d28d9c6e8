#include "corag/models/weights_fingerprint.hpp"

#include "corag/util/fnv1a.hpp"

namespace corag {

std::string weights_fingerprint(const torch::nn::Module& module) {
  Fnv1a hash;
  for (const auto& item : module.named_parameters(true)) {
    hash.update(item.key().data(), item.key().size());
    const auto values = item.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
    for (const auto size : values.sizes()) hash.update(&size, sizeof(size));
    hash.update(values.data_ptr(), static_cast<std::size_t>(values.numel()) * sizeof(float));
  }
  return hash.hex();
}

}  // namespace corag
