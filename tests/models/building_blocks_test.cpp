// T5 relative position buckets, RMS norm, mean pooling and the attention mask bias against
// hand-computed values.
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include "corag/models/retriever.hpp"
#include "corag/models/t5_attention.hpp"
#include "corag/models/t5_layer_norm.hpp"
#include "corag/models/token_batch.hpp"
#include "models/model_test_support.hpp"

using namespace corag;
using namespace corag::test;

TEST_CASE("T5 relative position buckets match hand-computed values", "[models]") {
  // Bidirectional, 32 buckets, max distance 128 (T5's encoder): offsets are memory - query.
  const auto offsets = torch::tensor({0, -1, 1, -7, -8, -16, -127, -128, 200, 12, 45}, torch::kLong);
  const auto bidirectional = relative_position_bucket(offsets, true, 32, 128);
  CHECK(torch::equal(bidirectional, torch::tensor({0, 1, 17, 7, 8, 10, 15, 15, 31, 25, 28}, torch::kLong)));
  // Causal (decoder): future offsets share bucket 0, the past uses all 32 buckets.
  const auto causal =
      relative_position_bucket(torch::tensor({5, 0, -3, -15, -16, -20, -100, -500}, torch::kLong), false, 32, 128);
  CHECK(torch::equal(causal, torch::tensor({0, 0, 3, 15, 16, 17, 30, 31}, torch::kLong)));
}

TEST_CASE("T5 RMS norm, mean pooling and mask bias on hand-computed inputs", "[models]") {
  T5LayerNorm norm(2, 0.0);
  const auto normalized = norm(torch::tensor({{3.0f, 4.0f}}));
  check_close(normalized, torch::tensor({{3.0f / std::sqrt(12.5f), 4.0f / std::sqrt(12.5f)}}), 1e-6);

  const auto hidden = torch::tensor({{{1.0f, 2.0f}, {3.0f, 4.0f}, {100.0f, 100.0f}}});
  const auto mask = torch::tensor({{1, 1, 0}}, torch::kLong);
  check_close(mean_pool(hidden, mask), torch::tensor({{2.0f, 3.0f}}), 0.0);

  const auto bias = attention_mask_bias(mask, torch::kFloat32);
  CHECK(bias.sizes() == c10::IntArrayRef({1, 1, 1, 3}));
  CHECK(bias[0][0][0][0].item<float>() == 0.0f);
  CHECK(bias[0][0][0][2].item<float>() == std::numeric_limits<float>::lowest());
  CHECK(attention_mask_bias(mask, torch::kBFloat16)[0][0][0][2].item<float>() ==
        static_cast<float>(std::numeric_limits<c10::BFloat16>::lowest()));
}
