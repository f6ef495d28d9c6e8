#pragma once

#include <filesystem>

namespace corag {

/// Throws corag::Error naming `path` unless it is a regular file (symlinks followed): missing
/// ("cannot open"), or a FIFO, device or directory ("not a regular file"). Readers call it
/// before opening, since opening a FIFO blocks until something writes to it.
void require_input_file(const std::filesystem::path& path);

/// Throws corag::Error naming both when `output` is the file `input` (by path, symlink or hard
/// link): writing the output would replace the input it is made from.
void require_output_apart_from_input(const std::filesystem::path& output, const std::filesystem::path& input);

/// Throws corag::Error naming both when the folder `output` is the folder `input` or lies inside
/// it (symlinks resolved): a command would write into what it reads. An empty `input` passes.
void require_output_outside(const std::filesystem::path& output, const std::filesystem::path& input);

}  // namespace corag
