#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace corag {

/// Appends lines to a metrics file: one JSON object per line (`metrics.jsonl`) or CSV rows
/// (`scalars.csv`). Each line goes out in a single write and is fsync'ed, so a killed run leaves
/// whole lines only; a partial last line left by a crash of an older writer is cut off when the
/// file is opened again (resume).
class MetricsWriter {
 public:
  explicit MetricsWriter(const std::filesystem::path& path);
  ~MetricsWriter();
  MetricsWriter(const MetricsWriter&) = delete;
  MetricsWriter& operator=(const MetricsWriter&) = delete;

  void write(const nlohmann::json& record);
  /// `line` and a newline.
  void write_line(const std::string& line);
  /// Whether the file holds nothing yet (a CSV's header is due).
  bool empty() const;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace corag
