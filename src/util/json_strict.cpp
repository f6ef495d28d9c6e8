#include "corag/util/json_strict.hpp"

#include <fstream>
#include <iterator>
#include <string>
#include <unordered_set>
#include <vector>

#include "corag/util/error.hpp"
#include "corag/util/input_file.hpp"

namespace corag {

namespace {

/// A SAX pass that only checks what nlohmann's DOM parser does not: the nesting depth (copying a
/// value nested 150,000 deep overflowed the stack) and keys repeated within one object. A
/// parser callback could check both while building the DOM, but nlohmann's callback parser
/// scans the parent object at every end of a child object, quadratic in the member count (a
/// safetensors header of 40,000 tensors took 29 s).
class StrictnessCheck {
 public:
  using json = nlohmann::json;

  explicit StrictnessCheck(std::string_view source) : source_(source) {}

  bool null() { return true; }
  bool boolean(bool) { return true; }
  bool number_integer(json::number_integer_t) { return true; }
  bool number_unsigned(json::number_unsigned_t) { return true; }
  bool number_float(json::number_float_t, const json::string_t&) { return true; }
  bool string(json::string_t&) { return true; }
  bool binary(json::binary_t&) { return true; }
  bool start_object(std::size_t) {
    open();
    objects_.emplace_back();
    return true;
  }
  bool key(json::string_t& key) {
    if (!objects_.back().insert(key).second && duplicate_.empty()) duplicate_ = key;
    return true;
  }
  bool end_object() {
    objects_.pop_back();
    --depth_;
    return true;
  }
  bool start_array(std::size_t) {
    open();
    return true;
  }
  bool end_array() {
    --depth_;
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    throw_error(source_, ": invalid JSON: ", e.what());
  }

  const std::string& duplicate() const { return duplicate_; }

 private:
  void open() {
    ++depth_;
    CORAG_CHECK(depth_ <= static_cast<std::size_t>(kMaxJsonDepth), source_, ": JSON nested deeper than ", kMaxJsonDepth,
                " levels");
  }

  std::string_view source_;
  std::size_t depth_ = 0;
  std::vector<std::unordered_set<std::string>> objects_;
  std::string duplicate_;
};

}  // namespace

nlohmann::json parse_json_strict(std::string_view text, std::string_view source) {
  StrictnessCheck check(source);
  nlohmann::json::sax_parse(text.begin(), text.end(), &check);
  CORAG_CHECK(check.duplicate().empty(), source, ": duplicate key '", check.duplicate(), "'");
  try {
    return nlohmann::json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::exception& e) {
    throw_error(source, ": invalid JSON: ", e.what());
  }
}

std::string read_file(const std::filesystem::path& path) {
  require_input_file(path);
  std::ifstream in(path, std::ios::binary);
  CORAG_CHECK(in, path.string(), ": cannot open");
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  return parse_json_strict(read_file(path), path.string());
}

}  // namespace corag
