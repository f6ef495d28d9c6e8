#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace corag {

/// One progress line: `label  done/total [=====>    ]  41.2%  312 items/s  ETA 1m05s`.
/// `total` 0 means unknown (no bar, no ETA). Pure, so that it can be tested.
std::string render_progress_line(const std::string& label, std::uint64_t done, std::uint64_t total,
                                 double elapsed_seconds, const std::string& unit);

/// Seconds as a short duration: "0.4s", "42s", "3m05s", "2h07m".
std::string format_duration(double seconds);

/// A progress bar for long loops (count, rate, ETA), redrawn at most ten times a second on
/// stderr. It draws only when stderr is a terminal and the log level shows info messages
/// (`--quiet` silences it); `finish()` logs a one-line summary either way.
class ProgressBar {
 public:
  ProgressBar(std::string label, std::uint64_t total, std::string unit = "items");
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void advance(std::uint64_t count = 1);
  /// Draws the final state and logs "label: N units in T (R units/s)". Called by the destructor
  /// if not called before, unless an exception is unwinding the loop.
  void finish();

  std::uint64_t done() const { return done_; }

 private:
  void draw(bool final_draw);
  double elapsed_seconds() const;

  std::string label_;
  std::string unit_;
  std::uint64_t total_;
  std::uint64_t done_ = 0;
  bool drawing_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace corag
