#include "corag/text/basic_tokenizer.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

#include "corag/util/error.hpp"

namespace corag {
namespace {

bool is_bert_whitespace(char32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
         utf8proc_category(static_cast<utf8proc_int32_t>(c)) == UTF8PROC_CATEGORY_ZS;
}

bool is_bert_control(char32_t c) {
  if (c == '\t' || c == '\n' || c == '\r') return false;
  switch (utf8proc_category(static_cast<utf8proc_int32_t>(c))) {
    case UTF8PROC_CATEGORY_CC:
    case UTF8PROC_CATEGORY_CF:
    case UTF8PROC_CATEGORY_CN:
    case UTF8PROC_CATEGORY_CO:
    case UTF8PROC_CATEGORY_CS:
      return true;
    default:
      return false;
  }
}

bool is_bert_punctuation(char32_t c) {
  if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126)) return true;
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return category >= UTF8PROC_CATEGORY_PC && category <= UTF8PROC_CATEGORY_PO;
}

bool is_cjk(char32_t c) {
  return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0x20000 && c <= 0x2A6DF) ||
         (c >= 0x2A700 && c <= 0x2B73F) || (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B820 && c <= 0x2CEAF) ||
         (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

bool is_letter(char32_t c) {
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return category >= UTF8PROC_CATEGORY_LU && category <= UTF8PROC_CATEGORY_LO;
}

std::u32string normalize(std::u32string_view text, utf8proc_option_t form) {
  const std::string utf8 = encode_utf8(text);
  utf8proc_uint8_t* mapped = nullptr;
  const auto length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(utf8.data()), static_cast<utf8proc_ssize_t>(utf8.size()),
                   &mapped, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | form));
  CORAG_CHECK(length >= 0, "unicode normalisation failed: ", utf8proc_errmsg(length));
  std::unique_ptr<utf8proc_uint8_t, decltype(&std::free)> owned(mapped, &std::free);
  return decode_utf8(std::string_view(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(length)));
}

// Python's str.lower(), including the final-sigma rule (a capital sigma that ends a word
// becomes 'ς'); the other full case mappings only differ on characters whose accents are
// stripped afterwards.
std::u32string to_lower(std::u32string_view token) {
  std::u32string lowered(token.size(), U'\0');
  for (std::size_t i = 0; i < token.size(); ++i) {
    const bool final_sigma = token[i] == U'\u03A3' && i > 0 && is_letter(token[i - 1]) &&
                             (i + 1 == token.size() || !is_letter(token[i + 1]));
    lowered[i] =
        final_sigma ? U'\u03C2' : static_cast<char32_t>(utf8proc_tolower(static_cast<utf8proc_int32_t>(token[i])));
  }
  return lowered;
}

std::u32string strip_accents(std::u32string_view token) {
  std::u32string stripped;
  for (char32_t c : normalize(token, UTF8PROC_DECOMPOSE)) {
    if (utf8proc_category(static_cast<utf8proc_int32_t>(c)) != UTF8PROC_CATEGORY_MN) stripped.push_back(c);
  }
  return stripped;
}

}  // namespace

bool is_unicode_space(char32_t c) {
  if (c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F) || c == 0x85) return true;
  const auto category = utf8proc_category(static_cast<utf8proc_int32_t>(c));
  return category == UTF8PROC_CATEGORY_ZS || category == UTF8PROC_CATEGORY_ZL || category == UTF8PROC_CATEGORY_ZP;
}

std::u32string decode_utf8(std::string_view text) {
  std::u32string decoded;
  decoded.reserve(text.size());
  const auto* bytes = reinterpret_cast<const utf8proc_uint8_t*>(text.data());
  utf8proc_ssize_t remaining = static_cast<utf8proc_ssize_t>(text.size());
  while (remaining > 0) {
    utf8proc_int32_t code_point = 0;
    const auto used = utf8proc_iterate(bytes, remaining, &code_point);
    if (used < 0) {
      decoded.push_back(U'\uFFFD');
      ++bytes;
      --remaining;
    } else {
      decoded.push_back(static_cast<char32_t>(code_point));
      bytes += used;
      remaining -= used;
    }
  }
  return decoded;
}

std::string encode_utf8(std::u32string_view text) {
  std::string encoded;
  encoded.reserve(text.size());
  utf8proc_uint8_t buffer[4];
  for (char32_t c : text) {
    const auto length = utf8proc_encode_char(static_cast<utf8proc_int32_t>(c), buffer);
    encoded.append(reinterpret_cast<const char*>(buffer), static_cast<std::size_t>(length));
  }
  return encoded;
}

std::vector<std::string> BasicTokenizer::tokenize(std::string_view text) const {
  std::u32string cleaned;
  for (char32_t c : decode_utf8(text)) {
    if (c == 0 || c == U'\uFFFD' || is_bert_control(c)) continue;
    if (is_bert_whitespace(c)) {
      cleaned.push_back(U' ');
    } else if (options_.split_cjk && is_cjk(c)) {
      cleaned.append({U' ', c, U' '});
    } else {
      cleaned.push_back(c);
    }
  }
  const std::u32string normalized = normalize(cleaned, UTF8PROC_COMPOSE);

  std::vector<std::string> tokens;
  std::size_t i = 0;
  while (i < normalized.size()) {
    if (is_unicode_space(normalized[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < normalized.size() && !is_unicode_space(normalized[end])) ++end;
    std::u32string word = normalized.substr(i, end - i);
    i = end;
    if (options_.lower_case) word = to_lower(word);
    if (options_.strip_accents) word = strip_accents(word);
    std::u32string piece;
    for (char32_t c : word) {
      if (is_bert_punctuation(c)) {
        if (!piece.empty()) tokens.push_back(encode_utf8(piece));
        piece.clear();
        tokens.push_back(encode_utf8(std::u32string(1, c)));
      } else if (!is_unicode_space(c)) {  // accent stripping can expose a space-like residue
        piece.push_back(c);
      } else if (!piece.empty()) {
        tokens.push_back(encode_utf8(piece));
        piece.clear();
      }
    }
    if (!piece.empty()) tokens.push_back(encode_utf8(piece));
  }
  return tokens;
}

}  // namespace corag
