// Throughput of the foundation's I/O paths, on whatever machine runs it:
//   bench_util_io [scratch_dir] [qa.jsonl]
// (a) writing a bert-base-sized checkpoint (~110 M float32 values) with write_hf_model_tensors,
// (b) opening it and reading every value through the zero-copy mapping (cold-ish: just written),
// (c) streaming + validating a QA JSONL file,
// (d) opening safetensors headers of 10,000 and 40,000 tensors: the time per tensor should not
//     grow with the count (the strict JSON parse was quadratic in the members of one object).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/types.h>

#include "corag/util/hf_model_tensors.hpp"
#include "corag/util/qa_reader.hpp"
#include "corag/util/safetensors_reader.hpp"
#include "corag/util/safetensors_writer.hpp"

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  const fs::path scratch = argc > 1 ? fs::path(argv[1]) : fs::temp_directory_path() / "corag-bench-io";
  const fs::path qa = argc > 2 ? fs::path(argv[2]) : fs::path("../shared/data/nq_open/NQ-open.dev.jsonl");
  fs::create_directories(scratch);

  // bert-base: 12 layers of (4 x 768x768 attention + 2 x 768x3072 FFN) + 30522x768 embeddings.
  std::vector<corag::NamedTensor> tensors{{"embeddings.word_embeddings.weight", torch::randn({30522, 768})}};
  for (int layer = 0; layer < 12; ++layer) {
    const std::string prefix = "encoder.layer." + std::to_string(layer) + ".";
    for (const char* name : {"query", "key", "value", "output"}) {
      tensors.push_back({prefix + name + ".weight", torch::randn({768, 768})});
    }
    tensors.push_back({prefix + "intermediate.weight", torch::randn({3072, 768})});
    tensors.push_back({prefix + "output.dense.weight", torch::randn({768, 3072})});
  }
  double bytes = 0;
  for (const auto& t : tensors) bytes += static_cast<double>(t.tensor.numel()) * 4;

  auto start = std::chrono::steady_clock::now();
  corag::write_hf_model_tensors(scratch, tensors);
  const double write_s = seconds_since(start);

  start = std::chrono::steady_clock::now();
  const corag::HfModelTensors checkpoint(scratch);
  double checksum = 0;
  for (const auto& name : checkpoint.names()) checksum += checkpoint.tensor(name).sum().item<double>();
  const double read_s = seconds_since(start);

  start = std::chrono::steady_clock::now();
  std::size_t questions = 0;
  corag::QaReader reader(qa);
  corag::QaRecord record;
  while (reader.next(record)) ++questions;
  const double qa_s = seconds_since(start);

  std::printf(
      "checkpoint: %.0f MiB, write %.2f s (%.0f MiB/s, fsync'ed), open+read %.2f s (%.0f MiB/s), checksum %.3g\n",
      bytes / (1 << 20), write_s, bytes / (1 << 20) / write_s, read_s, bytes / (1 << 20) / read_s, checksum);
  std::printf("qa jsonl: %zu questions in %.3f s (%.0f questions/s)\n", questions, qa_s,
              static_cast<double>(questions) / qa_s);
  for (const std::int64_t count : {10000, 40000}) {
    std::vector<corag::NamedTensor> many;
    for (std::int64_t i = 0; i < count; ++i) many.push_back({"t" + std::to_string(i), torch::zeros({1})});
    const auto path = scratch / ("many" + std::to_string(count) + ".safetensors");
    corag::write_safetensors(path, many);
    start = std::chrono::steady_clock::now();
    const corag::SafetensorsReader header(path);
    const double header_s = seconds_since(start);
    std::printf("safetensors header: %zu tensors in %.3f s (%.2f us per tensor)\n", header.entries().size(), header_s,
                header_s * 1e6 / static_cast<double>(count));
  }
  fs::remove_all(scratch);
  return 0;
}
