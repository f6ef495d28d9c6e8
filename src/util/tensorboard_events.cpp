#include "corag/util/tensorboard_events.hpp"

#include <array>
#include <cstring>

namespace corag {
namespace {

std::array<std::uint32_t, 256> crc32c_table() {
  std::array<std::uint32_t, 256> table{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1) ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
    table[byte] = crc;
  }
  return table;
}

/// TFRecord stores checksums masked (rotated and offset) so that a CRC of CRCs stays informative.
std::uint32_t masked_crc32c(std::string_view data) {
  const std::uint32_t crc = crc32c(data);
  return ((crc >> 15) | (crc << 17)) + 0xa282ead8u;
}

template <typename Integer>
void append_little_endian(std::string& out, Integer value) {
  for (std::size_t i = 0; i < sizeof(Integer); ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void append_varint(std::string& out, std::uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

// Protobuf fields: the key is (field number << 3) | wire type (0 varint, 1 64-bit, 2 bytes, 5 32-bit).
void append_bytes_field(std::string& out, int field, std::string_view bytes) {
  append_varint(out, static_cast<std::uint64_t>(field) << 3 | 2);
  append_varint(out, bytes.size());
  out.append(bytes);
}

void append_double_field(std::string& out, int field, double value) {
  append_varint(out, static_cast<std::uint64_t>(field) << 3 | 1);
  std::uint64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  append_little_endian(out, bits);
}

void append_float_field(std::string& out, int field, float value) {
  append_varint(out, static_cast<std::uint64_t>(field) << 3 | 5);
  std::uint32_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  append_little_endian(out, bits);
}

void append_record(std::string& out, const std::string& record) {
  std::string length;
  append_little_endian(length, static_cast<std::uint64_t>(record.size()));
  out += length;
  append_little_endian(out, masked_crc32c(length));
  out += record;
  append_little_endian(out, masked_crc32c(record));
}

}  // namespace

std::uint32_t crc32c(std::string_view data) {
  static const auto table = crc32c_table();
  std::uint32_t crc = 0xFFFFFFFFu;
  for (const char c : data) crc = table[(crc ^ static_cast<unsigned char>(c)) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::string tensorboard_events(const std::vector<TensorBoardScalar>& scalars, double wall_time) {
  std::string file;
  std::string version;  // Event { wall_time = 1; file_version = 3 }
  append_double_field(version, 1, wall_time);
  append_bytes_field(version, 3, "brain.Event:2");
  append_record(file, version);
  for (const auto& scalar : scalars) {
    std::string value;  // Summary.Value { tag = 1; simple_value = 2 }
    append_bytes_field(value, 1, scalar.tag);
    append_float_field(value, 2, scalar.value);
    std::string summary;  // Summary { repeated Value value = 1 }
    append_bytes_field(summary, 1, value);
    std::string event;  // Event { wall_time = 1; step = 2; summary = 5 }
    append_double_field(event, 1, wall_time);
    append_varint(event, 2 << 3 | 0);
    append_varint(event, static_cast<std::uint64_t>(scalar.step));
    append_bytes_field(event, 5, summary);
    append_record(file, event);
  }
  return file;
}

}  // namespace corag
