#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace corag {

/// Objects and arrays nested deeper than this are refused by parse_json_strict.
inline constexpr int kMaxJsonDepth = 256;

/// Parses JSON text, rejecting duplicate object keys at any depth (nlohmann would silently keep
/// the last one, which lets a hostile file say two things at once) and nesting deeper than
/// kMaxJsonDepth. `source` names the text in error messages ("model.safetensors header",
/// "index.json", "qa.jsonl:3").
nlohmann::json parse_json_strict(std::string_view text, std::string_view source);

/// The whole content of a file; an unreadable file is a corag::Error naming it.
std::string read_file(const std::filesystem::path& path);

/// A JSON file read and parsed with parse_json_strict (errors name the file).
nlohmann::json read_json_file(const std::filesystem::path& path);

}  // namespace corag
