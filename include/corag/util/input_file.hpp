#pragma once

#include <filesystem>

namespace corag {

/// Throws corag::Error naming `path` unless it is a regular file (symlinks followed): missing
/// ("cannot open"), or a FIFO, device or directory ("not a regular file"). Readers call it
/// before opening, since opening a FIFO blocks until something writes to it.
void require_input_file(const std::filesystem::path& path);

}  // namespace corag
