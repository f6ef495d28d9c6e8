#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace corag {

/// One progress line: `label  done/total [=====>    ]  41.2%  312 items/s  ETA 1m05s  status`.
/// `total` 0 means unknown (no bar, no ETA); an empty `status` is left out. Pure, so that it can
/// be tested.
std::string render_progress_line(const std::string& label, std::uint64_t done, std::uint64_t total,
                                 double elapsed_seconds, const std::string& unit, const std::string& status = "");

/// Seconds between the heartbeat lines of progress bars when stderr is not a terminal:
/// `CORAG_HEARTBEAT_SECONDS` (0: none), 60 when unset. A value that is not a non-negative number
/// is a corag::Error naming the variable.
double heartbeat_seconds();

/// Seconds as a short duration: "0.4s", "42s", "3m05s", "2h07m".
std::string format_duration(double seconds);

/// A progress bar for long loops (count, rate, ETA, and a status such as the loss), redrawn at
/// most ten times a second on stderr when it is a terminal. Otherwise (a batch job's log) the
/// same line is logged as a heartbeat every heartbeat_seconds(). Both need the log level to show
/// info messages (`--quiet` silences them); `finish()` logs a one-line summary either way.
class ProgressBar {
 public:
  ProgressBar(std::string label, std::uint64_t total, std::string unit = "items");
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  void advance(std::uint64_t count = 1);
  /// Shown after the counts from the next line on ("loss 2.314").
  void set_status(std::string status) { status_ = std::move(status); }
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
  std::string status_;
  bool drawing_;
  double heartbeat_seconds_;  ///< 0: no heartbeat lines
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace corag
