#pragma once

#include <filesystem>
#include <string>

namespace corag {

/// FNV-1a (64 bit) of a file's bytes as 16 hex digits, streamed: enough to tell whether an
/// input changed between two builds (not a cryptographic hash).
std::string file_checksum(const std::filesystem::path& path);

}  // namespace corag
