#pragma once

#include <filesystem>
#include <string>

namespace corag {

/// Both read a missing file, a FIFO or a folder as a corag::Error naming it.

/// FNV-1a (64 bit) of a file's bytes as 16 hex digits, streamed: enough to tell whether an
/// input changed between two builds (not a cryptographic hash).
std::string file_checksum(const std::filesystem::path& path);

/// SHA-256 of a file's bytes as 64 hex digits, streamed: what `sha256sum` prints, for checksums
/// that others check (manifests, run cards).
std::string file_sha256(const std::filesystem::path& path);

}  // namespace corag
