#include "corag/util/safetensors_reader.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string>

#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors is little-endian");

using nlohmann::json;

std::uint64_t read_u64_le(const std::uint8_t* p) {
  std::uint64_t value = 0;
  std::memcpy(&value, p, sizeof value);
  return value;
}

std::uint64_t as_u64(const json& value, const std::string& where) {
  CORAG_CHECK(value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0), where,
              ": expected a non-negative integer, got ", value.dump());
  return value.get<std::uint64_t>();
}

SafetensorsEntry parse_entry(const std::string& name, const json& value, const std::string& file) {
  const std::string where = file + ": tensor '" + name + "'";
  CORAG_CHECK(value.is_object(), where, ": expected an object, got ", value.type_name());
  for (const char* key : {"dtype", "shape", "data_offsets"}) {
    CORAG_CHECK(value.contains(key), where, ": missing '", key, "'");
  }
  SafetensorsEntry entry;
  entry.name = name;

  const json& dtype = value["dtype"];
  CORAG_CHECK(dtype.is_string(), where, ": dtype must be a string");
  const auto parsed = parse_safetensors_dtype(dtype.get<std::string>());
  CORAG_CHECK(parsed.has_value(), where, ": unknown or unsupported dtype '", dtype.get<std::string>(), "'");
  entry.dtype = *parsed;

  const json& shape = value["shape"];
  CORAG_CHECK(shape.is_array(), where, ": shape must be an array");
  std::uint64_t bytes = element_size(entry.dtype);
  for (const json& dim : shape) {
    const std::uint64_t size = as_u64(dim, where + " shape");
    CORAG_CHECK(size <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()), where,
                ": shape dimension ", size, " is too large");
    CORAG_CHECK(size == 0 || bytes <= std::numeric_limits<std::uint64_t>::max() / size, where, ": shape ", shape.dump(),
                " overflows");
    bytes *= size;
    entry.shape.push_back(static_cast<std::int64_t>(size));
  }

  const json& offsets = value["data_offsets"];
  CORAG_CHECK(offsets.is_array() && offsets.size() == 2, where, ": data_offsets must be [begin, end]");
  entry.begin = as_u64(offsets[0], where + " data_offsets");
  entry.end = as_u64(offsets[1], where + " data_offsets");
  CORAG_CHECK(entry.begin <= entry.end, where, ": data_offsets ", offsets.dump(), " are reversed");
  CORAG_CHECK(entry.end - entry.begin == bytes, where, ": shape ", shape.dump(), " of ", dtype.get<std::string>(),
              " needs ", bytes, " bytes but data_offsets ", offsets.dump(), " span ", entry.end - entry.begin);
  return entry;
}

}  // namespace

SafetensorsReader::SafetensorsReader(const std::filesystem::path& path) : file_(std::make_shared<MappedFile>(path)) {
  const std::string name = path.string();
  const std::uint64_t file_size = file_->size();
  CORAG_CHECK(file_size >= 8, name, ": too short for a safetensors file (", file_size, " bytes)");
  const std::uint64_t header_size = read_u64_le(file_->data());
  CORAG_CHECK(header_size <= kMaxSafetensorsHeaderBytes, name, ": header length ", header_size,
              " exceeds the limit of ", kMaxSafetensorsHeaderBytes, " bytes");
  CORAG_CHECK(header_size <= file_size - 8, name, ": header length ", header_size, " runs past the end of the file (",
              file_size, " bytes)");
  const char* header_text = reinterpret_cast<const char*>(file_->data() + 8);
  CORAG_CHECK(header_size > 0 && header_text[0] == '{', name, ": header does not start with '{'");

  const json header = parse_json_strict(std::string_view(header_text, header_size), name + " header");
  CORAG_CHECK(header.is_object(), name, ": header is not a JSON object");
  buffer_offset_ = 8 + header_size;
  buffer_size_ = file_size - buffer_offset_;

  for (const auto& [key, value] : header.items()) {
    if (key == "__metadata__") {
      CORAG_CHECK(value.is_object(), name, ": __metadata__ must be an object of strings");
      for (const auto& [meta_key, meta_value] : value.items()) {
        CORAG_CHECK(meta_value.is_string(), name, ": __metadata__ value of '", meta_key, "' is not a string");
        metadata_.emplace(meta_key, meta_value.get<std::string>());
      }
      continue;
    }
    entries_.push_back(parse_entry(key, value, name));
    CORAG_CHECK(entries_.back().end <= buffer_size_, name, ": tensor '", key, "' ends at byte ", entries_.back().end,
                " of a data buffer of ", buffer_size_, " bytes");
  }

  // The data buffer must be covered exactly once: no overlaps, no holes (as the spec requires).
  std::sort(entries_.begin(), entries_.end(),
            [](const auto& a, const auto& b) { return a.begin != b.begin ? a.begin < b.begin : a.end < b.end; });
  std::uint64_t covered = 0;
  const SafetensorsEntry* previous = nullptr;
  for (const auto& entry : entries_) {
    CORAG_CHECK(entry.begin >= covered, name, ": tensor '", entry.name, "' overlaps tensor '",
                previous ? previous->name : "", "'");
    CORAG_CHECK(entry.begin == covered, name, ": bytes ", covered, "..", entry.begin,
                " of the data buffer belong to no tensor");
    covered = entry.end;
    previous = &entry;
  }
  CORAG_CHECK(covered == buffer_size_, name, ": bytes ", covered, "..", buffer_size_,
              " of the data buffer belong to no tensor");

  index_.reserve(entries_.size());
  for (std::size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].name, i);
}

const SafetensorsEntry* SafetensorsReader::find(std::string_view name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

torch::Tensor SafetensorsReader::tensor(std::string_view name) const {
  const SafetensorsEntry* entry = find(name);
  CORAG_CHECK(entry != nullptr, path().string(), ": no tensor named '", name, "'");
  return tensor(*entry);
}

torch::Tensor SafetensorsReader::tensor(const SafetensorsEntry& entry) const {
  const auto dtype = to_torch_dtype(entry.dtype);
  const std::uint64_t bytes = entry.end - entry.begin;
  if (bytes == 0) return torch::empty(entry.shape, torch::dtype(dtype));
  std::uint8_t* data = file_->data() + buffer_offset_ + entry.begin;
  if (entry.dtype == SafetensorsDtype::BOOL) {
    // A file may hold bytes other than 0/1; torch's bool must not see them.
    return torch::from_blob(data, entry.shape, torch::kUInt8).ne(0);
  }
  if (reinterpret_cast<std::uintptr_t>(data) % element_size(entry.dtype) != 0) {
    auto copy = torch::empty(entry.shape, torch::dtype(dtype));
    std::memcpy(copy.data_ptr(), data, bytes);
    return copy;
  }
  auto keep_alive = file_;
  return torch::from_blob(
      data, entry.shape, [keep_alive](void*) {}, torch::dtype(dtype));
}

}  // namespace corag
