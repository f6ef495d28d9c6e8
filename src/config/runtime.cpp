#include "corag/config/runtime.hpp"

#include <ATen/Parallel.h>
#include <spdlog/spdlog.h>

#include "corag/util/device.hpp"

namespace corag {

Runtime apply_runtime(const RuntimeConfig& config) {
  Runtime runtime;
  runtime.device = resolve_device(config.device, "runtime.device");
  runtime.compute_dtype = resolve_precision(config.precision, runtime.device, "runtime.precision");
  set_thread_count(static_cast<int>(config.threads));
  runtime.threads = at::get_num_threads();
  runtime.seed = static_cast<std::uint64_t>(config.seed);
  seed_torch(runtime.seed);
  spdlog::debug("runtime: device {}, compute {}, {} threads, seed {}", runtime.device.str(),
                c10::toString(runtime.compute_dtype), runtime.threads, runtime.seed);
  return runtime;
}

}  // namespace corag
