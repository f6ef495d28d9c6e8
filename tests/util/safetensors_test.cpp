#include <cstring>

#include <torch/types.h>
#include <nlohmann/json.hpp>

#include "corag/util/hf_model_tensors.hpp"
#include "corag/util/safetensors_reader.hpp"
#include "corag/util/safetensors_writer.hpp"
#include "test_support.hpp"

using namespace corag;
using corag::test::error_message;
using corag::test::read_text;
using corag::test::TempDir;
using corag::test::write_text;

namespace {

/// A safetensors file assembled by hand: declared header length, header text, data bytes.
std::string raw_file(const std::string& header, const std::string& data, std::uint64_t declared_length) {
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &declared_length, 8);
  return bytes + header + data;
}

std::string raw_file(const std::string& header, const std::string& data) {
  return raw_file(header, data, header.size());
}

std::string open_error(const TempDir& dir, const std::string& bytes) {
  const auto path = dir / "hostile.safetensors";
  write_text(path, bytes);
  return error_message([&] { SafetensorsReader reader(path); });
}

}  // namespace

TEST_CASE("safetensors writer output matches the format spec byte for byte", "[util][safetensors]") {
  TempDir dir;
  // Written in a scrambled order: the file must order by element size (desc), then name.
  std::vector<NamedTensor> tensors{
      {"c", torch::tensor({1, 2, 3}, torch::kUInt8)},
      {"b", torch::tensor({1.0f, -2.0f})},
      {"a", torch::tensor({7}, torch::kInt64)},
  };
  write_safetensors(dir / "x.safetensors", tensors, {{"format", "pt"}});

  // Hand-assembled per the spec: u64 LE header length, JSON header padded with spaces to a
  // multiple of 8, then the little-endian data with no holes.
  const std::string header = R"({"__metadata__":{"format":"pt"},"a":{"dtype":"I64","shape":[1],"data_offsets":[0,8]},)"
                             R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]},)"
                             R"("c":{"dtype":"U8","shape":[3],"data_offsets":[16,19]}})"
                             "       ";  // 193 bytes of JSON + 7 spaces = 200
  REQUIRE(header.size() == 200);
  const std::string data(
      "\x07\0\0\0\0\0\0\0"
      "\x00\x00\x80\x3f"  // 1.0f
      "\x00\x00\x00\xc0"  // -2.0f
      "\x01\x02\x03",
      19);
  std::string expected("\xc8\0\0\0\0\0\0\0", 8);
  expected += header + data;
  CHECK(read_text(dir / "x.safetensors") == expected);
}

TEST_CASE("safetensors round trip keeps every dtype, shape and value", "[util][safetensors]") {
  TempDir dir;
  torch::manual_seed(3);
  std::vector<NamedTensor> tensors{
      {"f32", torch::randn({3, 5})},
      {"f16", torch::randn({4}).to(torch::kFloat16)},
      {"bf16", torch::randn({2, 2, 2}).to(torch::kBFloat16)},
      {"f64", torch::randn({2}, torch::kFloat64)},
      {"i64", torch::arange(6, torch::kInt64).reshape({2, 3})},
      {"i32", torch::tensor({-1, 5}, torch::kInt32)},
      {"u8", torch::tensor({0, 255}, torch::kUInt8)},
      {"bool", torch::tensor({true, false, true})},
      {"scalar", torch::tensor(2.5f)},
      {"empty", torch::zeros({0, 4})},
      {"strided", torch::randn({4, 6}).t()},  // non-contiguous input
  };
  write_safetensors(dir / "m.safetensors", tensors, {{"note", "hello"}});
  const SafetensorsReader reader(dir / "m.safetensors");
  CHECK(reader.metadata() == SafetensorsMetadata{{"note", "hello"}});
  REQUIRE(reader.entries().size() == tensors.size());
  for (const auto& [name, expected] : tensors) {
    INFO(name);
    const torch::Tensor loaded = reader.tensor(name);
    CHECK(loaded.scalar_type() == expected.scalar_type());
    CHECK(loaded.sizes() == expected.sizes());
    CHECK(torch::equal(loaded, expected));
  }

  // Writing again what was read is bit-identical.
  std::vector<NamedTensor> reloaded;
  for (const auto& entry : reader.entries()) reloaded.push_back({entry.name, reader.tensor(entry)});
  write_safetensors(dir / "again.safetensors", reloaded, {{"note", "hello"}});
  CHECK(read_text(dir / "again.safetensors") == read_text(dir / "m.safetensors"));
}

TEST_CASE("safetensors tensors view the mapping and survive the reader", "[util][safetensors]") {
  TempDir dir;
  write_safetensors(dir / "m.safetensors", {{"w", torch::arange(8, torch::kFloat32)}});
  torch::Tensor kept;
  {
    const SafetensorsReader reader(dir / "m.safetensors");
    kept = reader.tensor("w");
  }
  CHECK(kept.sum().item<float>() == 28.0f);
  kept.add_(1);  // copy-on-write mapping: allowed, and the file is unchanged
  const SafetensorsReader again(dir / "m.safetensors");
  CHECK(again.tensor("w").sum().item<float>() == 28.0f);
}

TEST_CASE("safetensors writer rejects what the format cannot hold", "[util][safetensors]") {
  TempDir dir;
  CHECK_THAT(error_message([&] {
               write_safetensors(dir / "x.safetensors", {{"a", torch::zeros({1})}, {"a", torch::zeros({1})}});
             }),
             Catch::Contains("duplicate tensor name 'a'"));
  CHECK_THAT(error_message([&] {
               write_safetensors(dir / "x.safetensors", {{"z", torch::zeros({1}, torch::kComplexFloat)}});
             }),
             Catch::Contains("tensor 'z'"));
  CHECK_FALSE(std::filesystem::exists(dir / "x.safetensors"));
}

TEST_CASE("hostile safetensors files give clear errors", "[util][safetensors]") {
  TempDir dir;
  const std::string ok_entry = R"("w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]})";
  const std::string eight(8, '\0');

  SECTION("a valid file opens") {
    write_text(dir / "ok.safetensors", raw_file("{" + ok_entry + "}", eight));
    CHECK(SafetensorsReader(dir / "ok.safetensors").entries().size() == 1);
  }
  SECTION("too short") { CHECK_THAT(open_error(dir, "abc"), Catch::Contains("too short")); }
  SECTION("header length beyond the file") {
    CHECK_THAT(open_error(dir, raw_file("{" + ok_entry + "}", eight, 4096)),
               Catch::Contains("runs past the end of the file"));
  }
  SECTION("header length beyond the limit") {
    CHECK_THAT(open_error(dir, raw_file("{}", "", 1ULL << 40)), Catch::Contains("exceeds the limit"));
  }
  SECTION("invalid JSON") {
    CHECK_THAT(open_error(dir, raw_file(R"({"w":{"dtype":)", eight)), Catch::Contains("invalid JSON"));
  }
  SECTION("header not an object") {
    CHECK_THAT(open_error(dir, raw_file("[1,2]   ", "")), Catch::Contains("does not start with '{'"));
  }
  SECTION("duplicate names") {
    const std::string header = "{" + ok_entry + "," + ok_entry + "}";
    CHECK_THAT(open_error(dir, raw_file(header, eight)), Catch::Contains("duplicate key 'w'"));
  }
  SECTION("unknown dtype") {
    CHECK_THAT(open_error(dir, raw_file(R"({"w":{"dtype":"F7","shape":[2],"data_offsets":[0,8]}})", eight)),
               Catch::Contains("tensor 'w'") && Catch::Contains("unknown or unsupported dtype 'F7'"));
  }
  SECTION("shape x dtype size differs from the byte span") {
    CHECK_THAT(open_error(dir, raw_file(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", eight)),
               Catch::Contains("needs 12 bytes but data_offsets [0,8] span 8"));
  }
  SECTION("shape overflows") {
    const std::string header = R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})";
    CHECK_THAT(open_error(dir, raw_file(header, eight)), Catch::Contains("overflows"));
  }
  SECTION("negative shape") {
    CHECK_THAT(open_error(dir, raw_file(R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", eight)),
               Catch::Contains("non-negative integer"));
  }
  SECTION("offsets out of range") {
    CHECK_THAT(open_error(dir, raw_file(R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})", eight)),
               Catch::Contains("ends at byte 16 of a data buffer of 8 bytes"));
  }
  SECTION("reversed offsets") {
    CHECK_THAT(open_error(dir, raw_file(R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[8,0]}})", eight)),
               Catch::Contains("reversed"));
  }
  SECTION("overlapping tensors") {
    const std::string header = R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                               R"("b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})";
    CHECK_THAT(open_error(dir, raw_file(header, eight)), Catch::Contains("tensor 'b' overlaps tensor 'a'"));
  }
  SECTION("a hole in the data buffer") {
    CHECK_THAT(open_error(dir, raw_file(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}})", eight)),
               Catch::Contains("bytes 0..4 of the data buffer belong to no tensor"));
  }
  SECTION("trailing bytes") {
    CHECK_THAT(open_error(dir, raw_file("{" + ok_entry + "}", eight + "xx")),
               Catch::Contains("bytes 8..10 of the data buffer belong to no tensor"));
  }
  SECTION("metadata that is not string to string") {
    CHECK_THAT(open_error(dir, raw_file(R"({"__metadata__":{"n":3}})", "")), Catch::Contains("is not a string"));
  }
  SECTION("200,000 tensors open (the header parse was quadratic: 40,000 took 29 s)") {
    std::string header = "{";
    for (int i = 0; i < 200000; ++i) {
      header += (i ? ",\"t" : "\"t") + std::to_string(i) + R"(":{"dtype":"U8","shape":[1],"data_offsets":[)" +
                std::to_string(i) + "," + std::to_string(i + 1) + "]}";
    }
    write_text(dir / "many.safetensors", raw_file(header + "}", std::string(200000, '\0')));
    const SafetensorsReader reader(dir / "many.safetensors");
    CHECK(reader.entries().size() == 200000);
    CHECK(reader.find("t199999")->begin == 199999);
  }
  SECTION("a missing field") {
    CHECK_THAT(open_error(dir, raw_file(R"({"w":{"dtype":"F32","shape":[2]}})", eight)),
               Catch::Contains("missing 'data_offsets'"));
  }
}

TEST_CASE("checkpoint tensors round trip single-file and sharded", "[util][safetensors]") {
  TempDir dir;
  torch::manual_seed(1);
  std::vector<NamedTensor> tensors{{"encoder.w", torch::randn({64, 64})},
                                   {"encoder.b", torch::randn({64})},
                                   {"decoder.w", torch::randn({64, 64})},
                                   {"lm_head.weight", torch::randn({32, 64})}};

  SECTION("one file, with the metadata transformers requires") {
    write_hf_model_tensors(dir.path(), tensors);
    CHECK(std::filesystem::exists(dir / "model.safetensors"));
    const HfModelTensors checkpoint(dir.path());
    CHECK(checkpoint.metadata().at("format") == "pt");
    for (const auto& [name, value] : tensors) CHECK(torch::equal(checkpoint.tensor(name), value));
  }
  SECTION("shards plus index; a later single-file save removes them") {
    write_hf_model_tensors(dir.path(), tensors, /*max_shard_bytes=*/20000);
    CHECK_FALSE(std::filesystem::exists(dir / "model.safetensors"));
    const auto index = nlohmann::json::parse(read_text(dir / "model.safetensors.index.json"));
    CHECK(index["metadata"]["total_size"] == (64 * 64 * 2 + 64 + 32 * 64) * 4);
    CHECK(index["weight_map"]["encoder.w"] == "model-00001-of-00003.safetensors");
    CHECK(index["weight_map"]["decoder.w"] == "model-00002-of-00003.safetensors");
    {
      const HfModelTensors checkpoint(dir.path());
      CHECK(checkpoint.file_count() == 3);
      CHECK(checkpoint.names() == std::vector<std::string>{"decoder.w", "encoder.b", "encoder.w", "lm_head.weight"});
      for (const auto& [name, value] : tensors) CHECK(torch::equal(checkpoint.tensor(name), value));
    }
    write_hf_model_tensors(dir.path(), tensors);
    CHECK_FALSE(std::filesystem::exists(dir / "model.safetensors.index.json"));
    CHECK_FALSE(std::filesystem::exists(dir / "model-00001-of-00003.safetensors"));
    CHECK(HfModelTensors(dir.path()).file_count() == 1);
  }
  SECTION("a bad index is a clear error") {
    write_hf_model_tensors(dir.path(), tensors, 20000);
    auto index = nlohmann::json::parse(read_text(dir / "model.safetensors.index.json"));
    SECTION("shard outside the directory") {
      index["weight_map"]["encoder.w"] = "../elsewhere.safetensors";
      write_text(dir / "model.safetensors.index.json", index.dump());
      CHECK_THAT(error_message([&] { HfModelTensors c(dir.path()); }), Catch::Contains("is not a plain file name"));
    }
    SECTION("tensor listed in the wrong shard") {
      index["weight_map"]["encoder.w"] = "model-00002-of-00003.safetensors";
      write_text(dir / "model.safetensors.index.json", index.dump());
      CHECK_THAT(error_message([&] { HfModelTensors c(dir.path()); }),
                 Catch::Contains("tensor 'encoder.w' is not in its shard model-00002-of-00003.safetensors"));
    }
    SECTION("a shard holds an unlisted tensor") {
      index["weight_map"].erase("encoder.b");
      write_text(dir / "model.safetensors.index.json", index.dump());
      CHECK_THAT(error_message([&] { HfModelTensors c(dir.path()); }),
                 Catch::Contains("holds tensor 'encoder.b' which the index does not map"));
    }
  }
  SECTION("no weights at all") {
    CHECK_THAT(error_message([&] { HfModelTensors c(dir.path()); }),
               Catch::Contains("no model.safetensors or model.safetensors.index.json"));
  }
  SECTION("a missing tensor names the directory") {
    write_hf_model_tensors(dir.path(), tensors);
    CHECK_THAT(error_message([&] { HfModelTensors(dir.path()).tensor("nope"); }),
               Catch::Contains("no tensor named 'nope'"));
  }
}
