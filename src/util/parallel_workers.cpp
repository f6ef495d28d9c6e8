#include "corag/util/parallel_workers.hpp"

#include <algorithm>
#include <exception>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

namespace corag {

int resolve_thread_count(int requested) {
  const int cores = static_cast<int>(std::max(1U, std::thread::hardware_concurrency()));
  if (requested <= 0) return cores;
  // More compute threads than cores never helps, and thousands of them hung the process
  // (runtime.threads: 4096).
  if (requested > cores) {
    spdlog::warn("{} threads requested, {} cores here: using {}", requested, cores, cores);
    return cores;
  }
  return requested;
}

void run_workers(std::size_t workers, const std::function<void(std::size_t)>& work) {
  std::vector<std::exception_ptr> errors(workers);
  std::vector<std::thread> pool;
  for (std::size_t w = 0; w < workers; ++w) {
    pool.emplace_back([&, w] {
      try {
        work(w);
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& thread : pool) thread.join();
  for (const auto& error : errors) {
    if (error) std::rethrow_exception(error);
  }
}

}  // namespace corag
