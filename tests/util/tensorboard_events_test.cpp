// TensorBoard event files written by hand: CRC-32C against the CRC catalogue's check value, and
// one event's bytes encoded by hand from tensorflow/core/util/event.proto and summary.proto.
#include "corag/util/tensorboard_events.hpp"
#include "test_support.hpp"

using namespace corag;

namespace {

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (const int value : values) out.push_back(static_cast<char>(value));
  return out;
}

std::string little_endian(std::uint64_t value, int size) {
  std::string out;
  for (int i = 0; i < size; ++i) out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  return out;
}

/// TFRecord's masking of a CRC (tensorflow/core/lib/hash/crc32c.h: rotate right 15, add a constant).
std::uint32_t masked(std::uint32_t crc) { return ((crc >> 15) | (crc << 17)) + 0xa282ead8u; }

std::string framed(const std::string& record) {
  const auto length = little_endian(record.size(), 8);
  return length + little_endian(masked(crc32c(length)), 4) + record + little_endian(masked(crc32c(record)), 4);
}

}  // namespace

TEST_CASE("CRC-32C: the catalogue's check value", "[util][tensorboard]") {
  CHECK(crc32c("123456789") == 0xE3069283u);  // reveng.sourceforge.io CRC catalogue, CRC-32/ISCSI
  CHECK(crc32c("") == 0u);
}

TEST_CASE("TensorBoard events: a file version event, then one scalar event per value", "[util][tensorboard]") {
  // Event{wall_time 0.5, file_version "brain.Event:2"}: field 1 fixed64, field 3 bytes.
  const auto version = bytes({0x09, 0, 0, 0, 0, 0, 0, 0xE0, 0x3F}) + bytes({0x1A, 13}) + "brain.Event:2";
  // Event{wall_time 0.5, step 300, summary{value{tag "a/b", simple_value 1.0}}}: step is varint
  // 300 = 0xAC 0x02; Value = 0A 03 "a/b" 15 <1.0f>; Summary = 0A <len 10> Value; field 5 = 2A.
  const auto value = bytes({0x0A, 3}) + "a/b" + bytes({0x15, 0x00, 0x00, 0x80, 0x3F});
  const auto summary = bytes({0x0A, static_cast<int>(value.size())}) + value;
  const auto event = bytes({0x09, 0, 0, 0, 0, 0, 0, 0xE0, 0x3F}) + bytes({0x10, 0xAC, 0x02}) +
                     bytes({0x2A, static_cast<int>(summary.size())}) + summary;
  CHECK(tensorboard_events({{"a/b", 300, 1.0f}}, 0.5) == framed(version) + framed(event));
  CHECK(tensorboard_events({}, 0.5) == framed(version));
}
