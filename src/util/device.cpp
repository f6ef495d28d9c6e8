#include "corag/util/device.hpp"

#include <ATen/Context.h>
#include <ATen/Parallel.h>
#include <ATen/Version.h>
#include <faiss/Index.h>
#include <omp.h>
#include <spdlog/spdlog.h>
#include <torch/cuda.h>
#include <torch/version.h>
#include <nlohmann/json.hpp>

#include "corag/util/device_spec.hpp"
#include "corag/util/error.hpp"
#include "corag/util/parallel_workers.hpp"
#include "corag/util/source_commit.hpp"

// OpenBLAS (Debian's LibTorch calls it for CPU matmuls) keeps its own pthread pool, sized to
// the cores and not governed by OpenMP: with runtime.threads 1 its idle workers still spun on
// sched_yield, burning a second core (measured: 50 s of system time in a 56 s single-threaded
// pretraining). Weak, because LibTorch builds on MKL have no OpenBLAS.
extern "C" void openblas_set_num_threads(int threads) __attribute__((weak));
extern "C" char* openblas_get_config() __attribute__((weak));

namespace corag {

bool cuda_compiled() { return at::hasCUDA(); }

bool cuda_usable() { return torch::cuda::is_available(); }

torch::Device resolve_device(std::string_view spec, std::string_view key) {
  CORAG_CHECK(is_device_spec(spec), key, ": unknown device '", spec, "' (use cpu, cuda, cuda:N or auto)");
  if (spec == "cpu") return torch::kCPU;
  if (spec == "auto") return cuda_usable() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  CORAG_CHECK(cuda_compiled(), key, "=", spec, ": this corag was built against a CPU-only LibTorch (", TORCH_VERSION,
              "); rebuild with -DCORAG_CUDA=ON against a CUDA LibTorch, or use cpu");
  CORAG_CHECK(cuda_usable(), key, "=", spec, ": no usable CUDA device (driver missing or no GPU visible)");
  const int index = spec.size() > 4 ? std::stoi(std::string(spec.substr(5))) : 0;
  const auto count = static_cast<int>(torch::cuda::device_count());
  CORAG_CHECK(index < count, key, "=", spec, ": only ", count, " CUDA device(s) visible");
  return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
}

torch::ScalarType resolve_precision(Precision precision, const torch::Device& device, std::string_view key) {
  switch (precision) {
    case Precision::fp32:
      return torch::kFloat32;
    case Precision::bf16:
      if (device.is_cpu()) spdlog::warn("{}=bf16 on the CPU is slow; fp32 is the usual choice there", key);
      return torch::kBFloat16;
    case Precision::automatic:
      break;
  }
  return device.is_cuda() ? torch::kBFloat16 : torch::kFloat32;
}

void set_thread_count(int threads) {
  CORAG_CHECK(threads >= 0, "thread count must be >= 0, got ", threads);
  const int count = resolve_thread_count(threads);
  at::set_num_threads(count);
  omp_set_num_threads(count);
  if (openblas_set_num_threads != nullptr) openblas_set_num_threads(count);
}

void seed_torch(std::uint64_t seed) { at::manual_seed(seed); }  // CPU and every CUDA generator

nlohmann::json build_description() {
  std::string cuda;
  if (!cuda_compiled()) {
    cuda = "not available (CPU-only LibTorch)";
  } else if (!cuda_usable()) {
    cuda = "compiled in, but no usable device";
  } else {
    cuda = "available (" + std::to_string(torch::cuda::device_count()) + " device(s))";
  }
  // LibTorch's build summary names the BLAS it multiplies with ("BLAS_INFO=open" for OpenBLAS).
  std::string blas = "unknown";
  const auto config = at::show_config();
  const auto at = config.find("BLAS_INFO=");
  if (at != std::string::npos) blas = config.substr(at + 10, config.find_first_of(", \n", at + 10) - (at + 10));
  // "generic" is the reference BLAS interface, which Debian routes to OpenBLAS: name what answers.
  if (openblas_get_config != nullptr) blas += " (" + std::string(openblas_get_config()) + ")";
  return {{"corag", CORAG_VERSION},
          {"source_commit", source_commit()},
          {"libtorch", TORCH_VERSION},
          {"faiss", std::to_string(FAISS_VERSION_MAJOR) + "." + std::to_string(FAISS_VERSION_MINOR) + "." +
                        std::to_string(FAISS_VERSION_PATCH)},
          {"cuda", cuda},
          {"blas", blas}};
}

std::string build_info() {
  const auto build = build_description();
  return "corag " + build["corag"].get<std::string>() + " (" + build["source_commit"].get<std::string>() +
         ")\nLibTorch " + build["libtorch"].get<std::string>() + "\nFAISS " + build["faiss"].get<std::string>() +
         "\nCUDA " + build["cuda"].get<std::string>() + "\nBLAS " + build["blas"].get<std::string>() + "\n";
}

}  // namespace corag
