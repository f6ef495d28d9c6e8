#include "corag/util/run_progress.hpp"

#include <algorithm>
#include <cstdio>

#include "corag/util/progress_bar.hpp"

namespace corag {

std::string render_run_status(std::uint64_t done, std::uint64_t total, std::uint64_t done_before,
                              double elapsed_seconds) {
  const double fraction = total > 0 ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total)) : 1.0;
  char percent[32];
  std::snprintf(percent, sizeof percent, "run %.1f%%", 100.0 * fraction);
  if (done >= total) return percent;
  const auto done_now = done > done_before ? done - done_before : 0;
  if (done_now == 0 || elapsed_seconds <= 0) return std::string(percent) + " ETA ?";
  const double rate = static_cast<double>(done_now) / elapsed_seconds;
  return std::string(percent) + " ETA " + format_duration(static_cast<double>(total - done) / rate);
}

RunProgress::RunProgress(std::uint64_t total, std::uint64_t done_before)
    : total_(total), done_before_(done_before), done_(done_before), start_(std::chrono::steady_clock::now()) {}

std::string RunProgress::status() const {
  return render_run_status(done_, total_, done_before_,
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
}

}  // namespace corag
