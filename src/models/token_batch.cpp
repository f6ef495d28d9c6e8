#include "corag/models/token_batch.hpp"

#include <algorithm>

#include <torch/torch.h>

namespace corag {

TokenBatch pad_token_batch(const std::vector<std::vector<std::int64_t>>& sequences, std::int64_t pad_id,
                           const torch::Device& device) {
  std::size_t longest = 1;
  for (const auto& sequence : sequences) longest = std::max(longest, sequence.size());
  const auto rows = static_cast<std::int64_t>(sequences.size());
  auto ids = torch::full({rows, static_cast<std::int64_t>(longest)}, pad_id, torch::kInt64);
  auto mask = torch::zeros({rows, static_cast<std::int64_t>(longest)}, torch::kInt64);
  auto ids_view = ids.accessor<std::int64_t, 2>();
  auto mask_view = mask.accessor<std::int64_t, 2>();
  for (std::int64_t row = 0; row < rows; ++row) {
    const auto& sequence = sequences[static_cast<std::size_t>(row)];
    for (std::size_t column = 0; column < sequence.size(); ++column) {
      ids_view[row][static_cast<std::int64_t>(column)] = sequence[column];
      mask_view[row][static_cast<std::int64_t>(column)] = 1;
    }
  }
  return {ids.to(device), mask.to(device)};
}

}  // namespace corag

namespace corag {

double lowest_value(torch::ScalarType dtype) {
  switch (dtype) {
    case torch::kFloat64:
      return std::numeric_limits<double>::lowest();
    case torch::kBFloat16:
      return static_cast<double>(std::numeric_limits<c10::BFloat16>::lowest());
    case torch::kFloat16:
      return static_cast<double>(std::numeric_limits<c10::Half>::lowest());
    default:
      return std::numeric_limits<float>::lowest();
  }
}

torch::Tensor attention_mask_bias(const torch::Tensor& mask, torch::ScalarType dtype) {
  return (1.0 - mask.to(dtype)).mul(lowest_value(dtype)).view({mask.size(0), 1, 1, mask.size(1)});
}

}  // namespace corag
