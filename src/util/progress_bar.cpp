#include "corag/util/progress_bar.hpp"

#include <unistd.h>

#include <spdlog/spdlog.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "corag/util/error.hpp"

namespace corag {

std::string format_duration(double seconds) {
  char text[32];
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  if (seconds < 10) {
    std::snprintf(text, sizeof text, "%.1fs", seconds);
  } else if (seconds < 60) {
    std::snprintf(text, sizeof text, "%.0fs", seconds);
  } else if (seconds < 3600) {
    const auto whole = static_cast<long long>(seconds);
    std::snprintf(text, sizeof text, "%lldm%02llds", whole / 60, whole % 60);
  } else {
    const auto minutes = static_cast<long long>(seconds / 60);
    std::snprintf(text, sizeof text, "%lldh%02lldm", minutes / 60, minutes % 60);
  }
  return text;
}

std::string render_progress_line(const std::string& label, std::uint64_t done, std::uint64_t total,
                                 double elapsed_seconds, const std::string& unit, const std::string& status) {
  const std::string suffix = status.empty() ? "" : "  " + status;
  constexpr int kBarWidth = 24;
  const double rate = elapsed_seconds > 0 ? static_cast<double>(done) / elapsed_seconds : 0.0;
  char rate_text[48];
  std::snprintf(rate_text, sizeof rate_text, rate >= 100 ? "%.0f %s/s" : "%.1f %s/s", rate, unit.c_str());
  std::string line = label + "  " + std::to_string(done);
  if (total == 0) return line + " " + unit + "  " + rate_text + "  " + format_duration(elapsed_seconds) + suffix;

  const double fraction = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
  const int filled = static_cast<int>(fraction * kBarWidth);
  std::string bar(kBarWidth, ' ');
  for (int i = 0; i < filled; ++i) bar[i] = '=';
  if (filled < kBarWidth) bar[filled] = '>';
  char percent[16];
  std::snprintf(percent, sizeof percent, "%5.1f%%", 100.0 * fraction);
  const std::string eta =
      done >= total ? format_duration(elapsed_seconds)
                    : (rate > 0 ? "ETA " + format_duration(static_cast<double>(total - done) / rate) : "ETA ?");
  return line + "/" + std::to_string(total) + " [" + bar + "] " + percent + "  " + rate_text + "  " + eta + suffix;
}

double heartbeat_seconds() {
  const char* text = std::getenv("CORAG_HEARTBEAT_SECONDS");
  if (text == nullptr || *text == '\0') return 60.0;
  char* end = nullptr;
  const double seconds = std::strtod(text, &end);
  CORAG_CHECK(*end == '\0' && std::isfinite(seconds) && seconds >= 0,
              "CORAG_HEARTBEAT_SECONDS: expected seconds >= 0, got '", text, "'");
  return seconds;
}

ProgressBar::ProgressBar(std::string label, std::uint64_t total, std::string unit)
    : label_(std::move(label)),
      unit_(std::move(unit)),
      total_(total),
      drawing_(::isatty(STDERR_FILENO) == 1 && spdlog::should_log(spdlog::level::info)),
      heartbeat_seconds_(drawing_ || !spdlog::should_log(spdlog::level::info) ? 0.0 : heartbeat_seconds()),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

ProgressBar::~ProgressBar() {
  // While an exception unwinds, a "done" summary would be a lie; only end the drawn line.
  if (std::uncaught_exceptions() > 0) {
    if (drawing_ && !finished_) std::fputc('\n', stderr);
    return;
  }
  if (!finished_) finish();
}

void ProgressBar::advance(std::uint64_t count) {
  done_ += count;
  if (!drawing_ && heartbeat_seconds_ <= 0) return;
  const auto now = std::chrono::steady_clock::now();
  const auto since = std::chrono::duration<double>(now - last_draw_).count();
  if (drawing_ && since >= 0.1) {
    last_draw_ = now;
    draw(false);
  } else if (!drawing_ && since >= heartbeat_seconds_) {
    last_draw_ = now;
    spdlog::info("{}", render_progress_line(label_, done_, total_, elapsed_seconds(), unit_, status_));
  }
}

void ProgressBar::finish() {
  if (finished_) return;
  finished_ = true;
  if (drawing_) draw(true);
  const double seconds = elapsed_seconds();
  spdlog::info("{}: {} {} in {} ({:.1f} {}/s)", label_, done_, unit_, format_duration(seconds),
               seconds > 0 ? static_cast<double>(done_) / seconds : 0.0, unit_);
}

void ProgressBar::draw(bool final_draw) {
  const std::string line = render_progress_line(label_, done_, total_, elapsed_seconds(), unit_, status_);
  std::fprintf(stderr, "\r%s\033[K%s", line.c_str(), final_draw ? "\n" : "");
  std::fflush(stderr);
}

double ProgressBar::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

}  // namespace corag
