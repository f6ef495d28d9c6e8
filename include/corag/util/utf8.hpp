#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace corag {

/// Byte offset of the first byte of `text` that does not begin a well-formed UTF-8 sequence
/// (RFC 3629: no overlong forms, no surrogates, nothing past U+10FFFF); nullopt when all of it is
/// well formed. Text that reaches a JSON output must be checked where it enters: nlohmann's
/// dump throws on invalid UTF-8, far from the file that held it.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

}  // namespace corag
