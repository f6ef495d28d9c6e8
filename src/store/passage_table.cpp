#include "corag/store/passage_table.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/passage_reader.hpp"
#include "corag/util/progress_bar.hpp"
#include "corag/util/utf8.hpp"

namespace corag {
namespace {

constexpr char kMagic[8] = {'C', 'O', 'R', 'A', 'G', 'P', 'T', '1'};
constexpr std::size_t kRecordHeader = 12;
constexpr const char* kRecordsName = "passages.bin";
constexpr const char* kOffsetsName = "passages.offsets";
constexpr const char* kByIdName = "passages.by_id";

void put_u32(std::ostream& out, std::uint32_t value) { out.write(reinterpret_cast<const char*>(&value), 4); }

std::uint32_t get_u32(const std::uint8_t* at) {
  std::uint32_t value;
  std::memcpy(&value, at, 4);
  return value;
}

std::uint32_t checked_length(const std::string& field, const char* name, const std::string& location) {
  CORAG_CHECK(field.size() < (1ULL << 32), location, ": passage ", name, " is over 4 GiB");
  return static_cast<std::uint32_t>(field.size());
}

}  // namespace

std::size_t PassageTable::build(const std::filesystem::path& corpus, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  std::vector<std::uint64_t> offsets{0};
  {
    PassageReader reader(corpus);
    AtomicFileWriter records(dir / kRecordsName);
    ProgressBar progress("passage table", 0, "passages");
    Passage passage;
    while (reader.next(passage)) {
      const auto location = reader.location();
      put_u32(records.stream(), checked_length(passage.id, "id", location));
      put_u32(records.stream(), checked_length(passage.title, "title", location));
      put_u32(records.stream(), checked_length(passage.text, "text", location));
      records.stream() << passage.id << passage.title << passage.text;
      offsets.push_back(offsets.back() + kRecordHeader + passage.id.size() + passage.title.size() +
                        passage.text.size());
      progress.advance();
    }
    // An empty table would make every store and index built on it empty without a word.
    CORAG_CHECK(offsets.size() > 1, corpus.string(), ": holds no passages");
    records.commit();
    progress.finish();
  }
  const std::uint64_t count = offsets.size() - 1;
  write_file_atomically(dir / kOffsetsName, [&](std::ostream& out) {
    out.write(kMagic, sizeof(kMagic));
    out.write(reinterpret_cast<const char*>(&count), 8);
    out.write(reinterpret_cast<const char*>(offsets.data()), static_cast<std::streamsize>(offsets.size() * 8));
  });

  // Sort rows by id reading the ids from the mapped records, so they never sit in RAM as strings.
  const MappedFile records(dir / kRecordsName);
  const auto id_of = [&](std::uint64_t row) {
    const auto* at = records.data() + offsets[row];
    return std::string_view(reinterpret_cast<const char*>(at + kRecordHeader), get_u32(at));
  };
  std::vector<std::uint64_t> rows(count);
  std::iota(rows.begin(), rows.end(), 0);
  std::sort(rows.begin(), rows.end(), [&](std::uint64_t a, std::uint64_t b) {
    const auto left = id_of(a), right = id_of(b);
    return left != right ? left < right : a < b;
  });
  for (std::size_t i = 1; i < rows.size(); ++i) {
    CORAG_CHECK(id_of(rows[i - 1]) != id_of(rows[i]), corpus.string(), ": passage id '", id_of(rows[i]),
                "' appears more than once (rows ", rows[i - 1] + 1, " and ", rows[i] + 1, ")");
  }
  write_file_atomically(dir / kByIdName, [&](std::ostream& out) {
    out.write(reinterpret_cast<const char*>(rows.data()), static_cast<std::streamsize>(rows.size() * 8));
  });
  return count;
}

bool PassageTable::exists(const std::filesystem::path& dir) {
  return std::filesystem::exists(dir / kOffsetsName) && std::filesystem::exists(dir / kRecordsName) &&
         std::filesystem::exists(dir / kByIdName);
}

PassageTable::PassageTable(const std::filesystem::path& dir) : dir_(dir) {
  for (const char* name : {kRecordsName, kOffsetsName, kByIdName}) {
    CORAG_CHECK(std::filesystem::is_regular_file(dir / name), (dir / name).string(),
                ": missing (build the passage table with `corag index build` or `corag bm25 build`)");
  }
  records_ = std::make_unique<MappedFile>(dir / kRecordsName);
  offsets_ = std::make_unique<MappedFile>(dir / kOffsetsName);
  by_id_ = std::make_unique<MappedFile>(dir / kByIdName);
  const auto offsets_file = (dir / kOffsetsName).string();
  CORAG_CHECK(offsets_->size() >= 24 && std::memcmp(offsets_->data(), kMagic, sizeof(kMagic)) == 0, offsets_file,
              ": not a corag passage table offsets file");
  std::uint64_t count = 0;
  std::memcpy(&count, offsets_->data() + 8, 8);
  CORAG_CHECK(offsets_->size() == 16 + 8 * (count + 1), offsets_file, ": ", offsets_->size(), " bytes, but a table of ",
              count, " passages needs ", 16 + 8 * (count + 1));
  count_ = static_cast<std::size_t>(count);
  offset_ = reinterpret_cast<const std::uint64_t*>(offsets_->data() + 16);
  CORAG_CHECK(offset_[0] == 0 && offset_[count_] == records_->size(), offsets_file, ": offsets cover ", offset_[count_],
              " bytes but ", kRecordsName, " has ", records_->size());
  // Only the offsets are checked here (8 bytes a row); each record is checked against them when
  // read, so that opening a 21 M-passage table does not page in all of passages.bin.
  for (std::size_t row = 0; row < count_; ++row) {
    CORAG_CHECK(offset_[row + 1] >= offset_[row] + kRecordHeader, offsets_file, ": passage row ", row,
                " has a broken offset");
  }
  CORAG_CHECK(by_id_->size() == 8 * count_, (dir / kByIdName).string(), ": ", by_id_->size(), " bytes, expected ",
              8 * count_);
  sorted_rows_ = reinterpret_cast<const std::uint64_t*>(by_id_->data());
  for (std::size_t i = 0; i < count_; ++i) {
    CORAG_CHECK(sorted_rows_[i] < count_, (dir / kByIdName).string(), ": row ", sorted_rows_[i], " out of range");
  }
}

const std::uint8_t* PassageTable::record(std::size_t row) const {
  const auto* at = records_->data() + offset_[row];
  CORAG_CHECK(
      kRecordHeader + std::uint64_t{get_u32(at)} + get_u32(at + 4) + get_u32(at + 8) == offset_[row + 1] - offset_[row],
      (dir_ / kRecordsName).string(), ": passage row ", row, " does not match its offsets");
  return at;
}

std::string_view PassageTable::id_at(std::size_t row) const {
  const auto* at = record(row);
  return std::string_view(reinterpret_cast<const char*>(at + kRecordHeader), get_u32(at));
}

PassageView PassageTable::at(std::size_t row) const {
  CORAG_CHECK(row < count_, dir_.string(), ": passage row ", row, " is outside the table of ", count_);
  const auto* at = record(row);
  const auto id_length = get_u32(at), title_length = get_u32(at + 4), text_length = get_u32(at + 8);
  const char* bytes = reinterpret_cast<const char*>(at + kRecordHeader);
  const PassageView passage{std::string_view(bytes, id_length), std::string_view(bytes + id_length, title_length),
                            std::string_view(bytes + id_length + title_length, text_length)};
  // Built from valid UTF-8 only, so invalid bytes mean damage; caught here, they never reach the
  // JSON writers of retrieval output.
  const std::pair<const char*, std::string_view> fields[] = {
      {"id", passage.id}, {"title", passage.title}, {"text", passage.text}};
  for (const auto& [name, field] : fields) {
    const auto invalid = first_invalid_utf8(field);
    CORAG_CHECK(!invalid, (dir_ / kRecordsName).string(), ": passage row ", row, ": its ", name,
                " is not valid UTF-8 (byte ", *invalid, ")");
  }
  return passage;
}

std::optional<std::size_t> PassageTable::find(std::string_view id) const {
  const auto* end = sorted_rows_ + count_;
  const auto* found = std::lower_bound(sorted_rows_, end, id, [&](std::uint64_t row, std::string_view wanted) {
    return id_at(static_cast<std::size_t>(row)) < wanted;
  });
  if (found == end || id_at(static_cast<std::size_t>(*found)) != id) return std::nullopt;
  return static_cast<std::size_t>(*found);
}

}  // namespace corag
