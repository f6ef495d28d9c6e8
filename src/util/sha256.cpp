#include "corag/util/sha256.hpp"

#include <nettle/sha2.h>

#include <cstdint>
#include <cstdio>

namespace corag {

struct Sha256::Context {
  sha256_ctx state;
};

Sha256::Sha256() : context_(std::make_unique<Context>()) { sha256_init(&context_->state); }

Sha256::~Sha256() = default;

void Sha256::update(const void* data, std::size_t size) {
  sha256_update(&context_->state, size, static_cast<const std::uint8_t*>(data));
}

std::string Sha256::hex() {
  std::uint8_t digest[SHA256_DIGEST_SIZE];
  sha256_digest(&context_->state, SHA256_DIGEST_SIZE, digest);
  std::string text(2 * SHA256_DIGEST_SIZE, '0');
  for (std::size_t i = 0; i < SHA256_DIGEST_SIZE; ++i) std::snprintf(&text[2 * i], 3, "%02x", digest[i]);
  return text;
}

std::string sha256_hex(std::string_view text) {
  Sha256 hash;
  hash.update(text.data(), text.size());
  return hash.hex();
}

}  // namespace corag
