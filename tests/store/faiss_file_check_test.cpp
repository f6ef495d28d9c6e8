// FAISS index files whose numbers would crash, hang or exhaust FAISS 1.7.3's own reader (a
// division by zero, lengths near 2^40, tables sized from nothing, deep nesting): FaissIndex::read
// refuses each before FAISS reads it, naming the file and the field. Without the walk, the PQ
// case alone would kill this test process (SIGFPE).
#include <cstring>
#include <functional>

#include <torch/torch.h>

#include "corag/store/faiss_file_check.hpp"
#include "corag/store/faiss_index.hpp"
#include "corag/util/atomic_file.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::read_text;
using corag::test::TempDir;

namespace {

constexpr std::int64_t kDim = 16;
// Byte offsets in FAISS's layout: a fourcc, then the index header (int d, int64 ntotal, two unused
// int64, bool is_trained, int metric_type), so a kind's own fields start at byte 37.
constexpr std::size_t kTrainedAt = 4 + 4 + 8 + 8 + 8, kFieldsAt = kTrainedAt + 1 + 4;

void build(const std::string& factory, const std::filesystem::path& path) {
  torch::manual_seed(1);
  const auto vectors = torch::randn({300, kDim}).contiguous();
  const FloatRows rows{vectors.data_ptr<float>(), 300, kDim};
  auto index = FaissIndex::create(factory, kDim);
  if (index.needs_training()) index.train(rows);
  index.add(rows);
  index.write(path);
}

template <typename T>
void patch(std::string& bytes, std::size_t at, T value) {
  REQUIRE(at + sizeof value <= bytes.size());
  std::memcpy(bytes.data() + at, &value, sizeof value);
}

/// An index header of dimension 4, no vectors, trained, inner product, after `kind`.
std::string header(const char* kind) {
  std::string bytes(kind, 4);
  const auto put = [&](auto value) { bytes.append(reinterpret_cast<const char*>(&value), sizeof value); };
  put(std::int32_t{4});
  put(std::int64_t{0});
  put(std::int64_t{0});
  put(std::int64_t{0});
  put(std::uint8_t{1});
  put(std::int32_t{0});
  return bytes;
}

}  // namespace

TEST_CASE("faiss file check: numbers FAISS's reader would trust are refused before it reads them", "[store]") {
  struct Case {
    const char* name;
    const char* factory;
    std::function<void(std::string&)> damage;
    const char* expected;
  };
  const std::vector<Case> cases = {
      {"PQ with M = 0 (FAISS divides by it)", "PQ4x4",
       [](std::string& b) { patch<std::uint64_t>(b, kFieldsAt + 8, 0); }, "pq.M (byte 45): 0 sub-quantizers"},
      {"PQ with 40 bits per code", "PQ4x4", [](std::string& b) { patch<std::uint64_t>(b, kFieldsAt + 16, 40); },
       "pq.nbits (byte 53): 40 bits per code"},
      {"IVF-PQ with M = 0", "IVF4,PQ4x4",
       [](std::string& b) {
         // The PQ follows the IVF header, its Flat quantizer and the direct map: find it by its d.
         const auto at = b.rfind(std::string("\x10\0\0\0\0\0\0\0\x04\0\0\0\0\0\0\0", 16));
         REQUIRE(at != std::string::npos);
         patch<std::uint64_t>(b, at + 8, 0);
       },
       "pq.M"},
      {"Flat codes of 2^39 floats", "Flat",
       [](std::string& b) { patch<std::uint64_t>(b, kFieldsAt, std::uint64_t{1} << 39); }, "codes (byte 37)"},
      {"HNSW array of 2^50 elements", "HNSW8",
       [](std::string& b) { patch<std::uint64_t>(b, kFieldsAt, std::uint64_t{1} << 50); },
       "hnsw.assign_probas (byte 37): 1125899906842624 elements"},
      {"IVF with 2^60 lists", "IVF4,Flat",
       [](std::string& b) { patch<std::uint64_t>(b, kFieldsAt, std::uint64_t{1} << 60); },
       "nlist (byte 37): 1152921504606846976 lists"},
      {"PQ search type outside its enum (UBSan: an invalid enum load)", "PQ4x4",
       // IndexPQ ends with int search_type, bool encode_signs, int polysemous_ht.
       [](std::string& b) { patch<std::int32_t>(b, b.size() - 9, 1 << 20); }, "search type 1048576"},
      {"a bool that is not one", "Flat", [](std::string& b) { patch<std::uint8_t>(b, kTrainedAt, 7); },
       "is_trained (byte 32): a bool holds 7"},
      {"a negative dimension", "HNSW8", [](std::string& b) { patch<std::int32_t>(b, 4, -3); }, "dimension -3"},
      {"truncated in a header", "IVF4,SQ8", [](std::string& b) { b.resize(20); }, "the file ends after 20 bytes"},
      {"truncated in the lists", "IVF4,SQ8", [](std::string& b) { b.resize(b.size() / 2); }, "bytes left in the file"},
      {"trailing bytes", "SQ8", [](std::string& b) { b += "extra"; }, "5 bytes after the index's end"},
      {"a kind corag does not build", "Flat", [](std::string& b) { b.replace(0, 4, "IxLa"); },
       "'IxLa' is not a kind of index corag builds"},
      {"nesting deeper than corag builds", "Flat",
       [](std::string& b) {
         std::string nested;
         for (int i = 0; i < 7; ++i) nested += header("IxPT") + std::string(4, '\0');  // no transforms
         b = nested + b;
       },
       "nested 6 levels deep"},
  };
  TempDir dir;
  const auto path = dir / "index.faiss";
  for (const auto& c : cases) {
    INFO(c.name);
    build(c.factory, path);
    auto bytes = read_text(path);
    c.damage(bytes);
    write_file_atomically(path, bytes);
    const auto message = error_message([&] { FaissIndex::read(path); });
    CHECK_THAT(message, Catch::Contains(path.string()) && Catch::Contains(c.expected));
  }
}

TEST_CASE("faiss file check: every kind of index corag builds walks to its last byte", "[store]") {
  TempDir dir;
  for (const auto* factory :
       {"Flat", "HNSW8", "HNSW8,SQ8", "IVF4,Flat", "IVF4_HNSW4,Flat", "IVF4,PQ4x4", "IVF4,SQ8", "IVF4,SQfp16", "PQ4x4",
        "PQ4x8", "SQ4", "SQ6", "OPQ4,IVF4,PQ4x4", "OPQ4_8,Flat", "PCA8,Flat"}) {
    INFO(factory);
    build(factory, dir / "index.faiss");
    CHECK_NOTHROW(check_faiss_file(dir / "index.faiss"));
  }
}
