#pragma once

#include <cstddef>
#include <functional>

namespace corag {

/// A requested thread count made concrete: 0 means one per core, and more than the cores is
/// cut to the cores (with a warning).
int resolve_thread_count(int requested);

/// Runs `work(worker)` for worker = 0 .. workers-1 on threads of their own, waits for all, and
/// rethrows the first exception any of them threw.
void run_workers(std::size_t workers, const std::function<void(std::size_t)>& work);

}  // namespace corag
