#include "corag/util/utf8.hpp"

#include <cstdint>

namespace corag {

std::optional<std::size_t> first_invalid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
  const std::size_t size = text.size();
  std::size_t at = 0;
  while (at < size) {
    const std::uint8_t lead = bytes[at];
    if (lead < 0x80) {
      ++at;
      continue;
    }
    // The allowed range of the second byte narrows for E0 (no overlongs), ED (no surrogates),
    // F0 (no overlongs) and F4 (nothing past U+10FFFF); further bytes are 80..BF.
    std::size_t length = 0;
    std::uint8_t low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      if (lead == 0xE0) low = 0xA0;
      if (lead == 0xED) high = 0x9F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      if (lead == 0xF0) low = 0x90;
      if (lead == 0xF4) high = 0x8F;
    } else {
      return at;
    }
    if (size - at < length || bytes[at + 1] < low || bytes[at + 1] > high) return at;
    for (std::size_t k = 2; k < length; ++k) {
      if (bytes[at + k] < 0x80 || bytes[at + k] > 0xBF) return at;
    }
    at += length;
  }
  return std::nullopt;
}

}  // namespace corag
