#include "corag/models/weights_fingerprint.hpp"

#include <cstdio>

namespace corag {
namespace {

constexpr std::uint64_t kOffsetBasis = 14695981039346656037ULL;
constexpr std::uint64_t kPrime = 1099511628211ULL;

void mix(std::uint64_t& hash, const void* data, std::size_t size) {
  const auto* bytes = static_cast<const unsigned char*>(data);
  for (std::size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * kPrime;
}

}  // namespace

std::string weights_fingerprint(const torch::nn::Module& module) {
  std::uint64_t hash = kOffsetBasis;
  for (const auto& item : module.named_parameters(true)) {
    mix(hash, item.key().data(), item.key().size());
    const auto values = item.value().detach().to(torch::kCPU, torch::kFloat32).contiguous();
    for (const auto size : values.sizes()) mix(hash, &size, sizeof(size));
    mix(hash, values.data_ptr(), static_cast<std::size_t>(values.numel()) * sizeof(float));
  }
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

}  // namespace corag
