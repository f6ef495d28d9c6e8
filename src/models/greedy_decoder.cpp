#include "corag/models/greedy_decoder.hpp"

namespace corag {

std::vector<std::vector<std::int64_t>> greedy_decode(T5ModelImpl& model, const torch::Tensor& memory,
                                                     const torch::Tensor& memory_mask, std::size_t max_new_tokens,
                                                     bool use_cache) {
  torch::NoGradGuard no_grad;
  const auto& config = model.config();
  const auto batch = memory.size(0);
  const auto options = torch::TensorOptions().dtype(torch::kLong).device(memory.device());
  auto sequence = torch::full({batch, 1}, config.decoder_start_token_id, options);
  auto finished = torch::zeros({batch}, options.dtype(torch::kBool));
  T5DecoderCache cache;
  for (std::size_t step = 0; step < max_new_tokens; ++step) {
    const auto logits = use_cache
                            ? model.decode(sequence.narrow(1, sequence.size(1) - 1, 1), memory, memory_mask, &cache)
                            : model.decode(sequence, memory, memory_mask);
    auto next = logits.select(1, logits.size(1) - 1).argmax(-1);
    next = next.masked_fill(finished, config.pad_token_id);
    sequence = torch::cat({sequence, next.unsqueeze(1)}, 1);
    finished = finished.logical_or(next == config.eos_token_id);
    if (finished.all().item<bool>()) break;
  }
  const auto cpu = sequence.cpu();
  const auto view = cpu.accessor<std::int64_t, 2>();
  std::vector<std::vector<std::int64_t>> generated(static_cast<std::size_t>(batch));
  for (std::int64_t row = 0; row < batch; ++row) {
    for (std::int64_t column = 1; column < cpu.size(1); ++column) {
      generated[static_cast<std::size_t>(row)].push_back(view[row][column]);
      if (view[row][column] == config.eos_token_id) break;
    }
  }
  return generated;
}

}  // namespace corag
