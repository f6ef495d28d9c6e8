#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace corag {

/// One scalar of a TensorBoard plot: `value` at `step` of the series `tag`.
struct TensorBoardScalar {
  std::string tag;  ///< "loss_reader/client1", "test_em/average", ...
  std::int64_t step = 0;
  float value = 0;
};

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) of `data`: TFRecord's checksum.
std::uint32_t crc32c(std::string_view data);

/// A TensorBoard event file's bytes, written without TensorFlow or protobuf: TFRecord framing
/// (little-endian uint64 length, masked CRC-32C of it, the record, masked CRC-32C of it) around
/// hand-encoded `tensorflow.Event` messages: first {wall_time, file_version "brain.Event:2"},
/// then per scalar {wall_time, step, summary {value {tag, simple_value}}}. Every event carries
/// `wall_time`, so that the file follows from the scalars alone (rewritten whole, it stays the
/// same bytes).
std::string tensorboard_events(const std::vector<TensorBoardScalar>& scalars, double wall_time);

}  // namespace corag
