#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include "corag/util/precision.hpp"

namespace corag {

/// `cpu`, `cuda`, `cuda:N` or `auto` (CUDA when available, else CPU). Asking for CUDA on a
/// CPU-only build, or for a GPU index that does not exist, is a corag::Error naming `key`.
torch::Device resolve_device(std::string_view spec, std::string_view key);

/// The compute dtype of `precision` on `device` (`key` names the setting in warnings).
torch::ScalarType resolve_precision(Precision precision, const torch::Device& device, std::string_view key);

/// Threads for torch's intra-op pool and OpenMP (FAISS, BLAS); 0 means one per core.
void set_thread_count(int threads);

/// Seeds torch's CPU and CUDA generators.
void seed_torch(std::uint64_t seed);

/// Whether this build's LibTorch was compiled with CUDA, and whether a GPU is usable now.
bool cuda_compiled();
bool cuda_usable();

/// What this corag was built from and with: `{"corag", "source_commit", "libtorch", "faiss",
/// "cuda", "blas"}` (run cards record it).
nlohmann::json build_description();
/// build_description() as the lines of `--version`.
std::string build_info();

}  // namespace corag
