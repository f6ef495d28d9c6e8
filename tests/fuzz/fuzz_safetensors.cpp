// safetensors files: header, offsets, dtypes, and every tensor read through the mapping.
#include <torch/torch.h>

#include "corag/util/safetensors_reader.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = corag::fuzz::input_file("model.safetensors", data, size);
  corag::fuzz::refusal_is_fine([&] {
    const corag::SafetensorsReader reader(path);
    for (const auto& entry : reader.entries()) {
      const auto tensor = reader.tensor(entry);
      if (tensor.numel() > 0) tensor.to(torch::kFloat64).sum().item<double>();
    }
  });
  return 0;
}
