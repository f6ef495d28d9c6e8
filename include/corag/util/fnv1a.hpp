#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace corag {

/// Incremental FNV-1a (64 bit): a cheap fingerprint of bytes (weights, input files), not a
/// cryptographic hash.
class Fnv1a {
 public:
  void update(const void* data, std::size_t size) {
    const auto* bytes = static_cast<const unsigned char*>(data);
    for (std::size_t i = 0; i < size; ++i) hash_ = (hash_ ^ bytes[i]) * 1099511628211ULL;
  }
  /// 16 lower-case hex digits.
  std::string hex() const {
    char text[17];
    std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(hash_));
    return text;
  }

 private:
  std::uint64_t hash_ = 14695981039346656037ULL;
};

/// FNV-1a of a string as 16 hex digits (config hashes).
inline std::string fnv1a_hex(std::string_view text) {
  Fnv1a hash;
  hash.update(text.data(), text.size());
  return hash.hex();
}

}  // namespace corag
