#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace corag {

/// Incremental SHA-256 (Debian's nettle): the checksum of the input files corag records in
/// manifests and run cards, so that `sha256sum` and published hashes can check them.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const void* data, std::size_t size);
  /// The digest as 64 lower-case hex digits; the hash is finished afterwards.
  std::string hex();

 private:
  struct Context;
  std::unique_ptr<Context> context_;
};

/// SHA-256 of `text` as 64 hex digits.
std::string sha256_hex(std::string_view text);

}  // namespace corag
