#include "corag/util/file_checksum.hpp"

#include <fstream>
#include <memory>

#include "corag/util/error.hpp"
#include "corag/util/fnv1a.hpp"
#include "corag/util/input_file.hpp"
#include "corag/util/sha256.hpp"

namespace corag {

namespace {

/// Feeds the bytes of `path` to `hash` (update(data, size)), 64 KiB at a time; returns hash.hex().
template <typename Hash>
std::string hash_file(const std::filesystem::path& path, Hash& hash) {
  require_input_file(path);
  std::ifstream in(path, std::ios::binary);
  CORAG_CHECK(in, path.string(), ": cannot open");
  constexpr std::size_t kBytes = std::size_t{1} << 16;
  const std::unique_ptr<char[]> buffer(new char[kBytes]);  // not zero-filled: read fills it
  while (in) {
    in.read(buffer.get(), static_cast<std::streamsize>(kBytes));
    hash.update(buffer.get(), static_cast<std::size_t>(in.gcount()));
  }
  return hash.hex();
}

}  // namespace

std::string file_checksum(const std::filesystem::path& path) {
  Fnv1a hash;
  return hash_file(path, hash);
}

std::string file_sha256(const std::filesystem::path& path) {
  Sha256 hash;
  return hash_file(path, hash);
}

}  // namespace corag
