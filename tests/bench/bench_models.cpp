// Model throughput on this machine's CPU, with random weights of the real shapes:
//   bench_models [threads]
// (a) bert-base-shaped encoder (Contriever): tokens/s for 16 texts x 128 tokens;
// (b) t5-base-shaped reader: FiD encoder tokens/s for 10 passages x 128 tokens;
// (c) greedy decoding of exactly 32 tokens over those 10 passages, with the KV cache and with
//     full recomputation, measured side by side, and their ratio.
#include <chrono>
#include <cstdio>
#include <string>

#include <torch/torch.h>

#include "corag/models/bert_model.hpp"
#include "corag/models/greedy_decoder.hpp"
#include "corag/models/t5_model.hpp"
#include "corag/util/device.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// Best of `repeats` timings of `work`, after one warm-up run.
template <typename Work>
double best_seconds(int repeats, Work&& work) {
  work();
  double best = 1e30;
  for (int i = 0; i < repeats; ++i) {
    const auto start = std::chrono::steady_clock::now();
    work();
    best = std::min(best, seconds_since(start));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::stoi(argv[1]) : 0;
  corag::set_thread_count(threads);
  torch::NoGradGuard no_grad;
  std::printf("threads: %d\n", torch::get_num_threads());

  corag::BertModel bert(corag::BertConfig{});
  bert->initialize(1);
  bert->eval();
  const auto bert_ids = torch::randint(5, 30000, {16, 128}, torch::kLong);
  const auto bert_mask = torch::ones_like(bert_ids);
  const double bert_seconds = best_seconds(3, [&] { bert->forward(bert_ids, bert_mask); });
  std::printf("bert-base encoder: %.0f tokens/s (16 x 128 tokens in %.3f s)\n", 16 * 128 / bert_seconds, bert_seconds);

  corag::T5Model t5(corag::T5Config{});
  t5->initialize(2);
  t5->eval();
  const auto passage_ids = torch::randint(5, 32000, {10, 128}, torch::kLong);
  const auto passage_mask = torch::ones_like(passage_ids);
  torch::Tensor states;
  const double encode_seconds = best_seconds(3, [&] { states = t5->encode(passage_ids, passage_mask); });
  std::printf("t5-base FiD encoder: %.0f tokens/s (10 x 128 tokens in %.3f s)\n", 10 * 128 / encode_seconds,
              encode_seconds);

  const auto memory = states.reshape({1, 10 * 128, states.size(2)});
  const auto memory_mask = passage_mask.reshape({1, 10 * 128});
  // Random weights never emit </s> here, so both runs decode exactly 32 tokens; checked below.
  std::vector<std::vector<std::int64_t>> cached, recomputed;
  const double cached_seconds =
      best_seconds(3, [&] { cached = corag::greedy_decode(*t5, memory, memory_mask, 32, true); });
  const double full_seconds =
      best_seconds(1, [&] { recomputed = corag::greedy_decode(*t5, memory, memory_mask, 32, false); });
  std::printf(
      "t5-base greedy, 32 tokens over 10 passages: KV cache %.3f s (%.1f tokens/s), recomputation %.3f s "
      "(%.1f tokens/s), speed-up %.1fx, same tokens: %s (%zu generated)\n",
      cached_seconds, cached.front().size() / cached_seconds, full_seconds, recomputed.front().size() / full_seconds,
      full_seconds / cached_seconds, cached == recomputed ? "yes" : "NO", cached.front().size());
  return cached == recomputed ? 0 : 1;
}
