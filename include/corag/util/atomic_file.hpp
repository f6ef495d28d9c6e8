#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string_view>

namespace corag {

/// Writes one file atomically: bytes go to a temporary file in the target's directory, which
/// `commit()` flushes, fsyncs and renames over the target (then fsyncs the directory). Until
/// `commit()` the target is untouched; a writer destroyed without committing (an exception
/// mid-way, say) removes its temporary file, so a killed or failed write never leaves a partial
/// file behind. Missing parent directories are created.
class AtomicFileWriter {
 public:
  explicit AtomicFileWriter(std::filesystem::path target);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  std::ostream& stream();
  void write(const void* data, std::size_t size);
  /// Makes the written bytes the content of the target. Throws corag::Error on any I/O failure.
  void commit();

  const std::filesystem::path& target() const { return target_; }

 private:
  class Buffer;
  std::filesystem::path target_;
  std::filesystem::path temp_path_;
  std::unique_ptr<Buffer> buffer_;
  std::unique_ptr<std::ostream> stream_;
  bool committed_ = false;
};

/// Fills a directory atomically: `fill` writes into a hidden sibling of `target`
/// (`.name.tmp`, emptied first), which then replaces `target` by a rename, so readers see the
/// old directory, nothing, or the complete new one; never a half-written one.
void write_directory_atomically(const std::filesystem::path& target,
                                const std::function<void(const std::filesystem::path&)>& fill);

/// Removes a directory so that a kill never leaves it half-removed under its name: it is first
/// renamed to a hidden temporary sibling (`.NAME.old.tmp`, which remove_stale_temporaries clears).
/// Nothing to do when it does not exist.
void remove_directory_atomically(const std::filesystem::path& dir);

/// Removes, anywhere under `dir`, the temporaries of writers that did not finish (a kill):
/// AtomicFileWriter's `.NAME.tmp-XXXXXX` files and write_directory_atomically's `.NAME.tmp`
/// folders. Only safe while no writer is at work there (OutputLock calls it). Returns how many.
std::size_t remove_stale_temporaries(const std::filesystem::path& dir);

/// Atomically replaces `path` with `contents`.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

/// Atomically replaces `path` with whatever `writer` streams; if `writer` throws, `path` keeps
/// its previous content (or stays absent) and the exception propagates.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& writer);

}  // namespace corag
