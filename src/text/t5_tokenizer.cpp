#include "corag/text/t5_tokenizer.hpp"

#include <algorithm>
#include <cctype>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace {

bool is_space(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

std::string_view trim(std::string_view text, bool left, bool right) {
  while (left && !text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (right && !text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

/// Length of the sentinel `<extra_id_N>` (N in 0..99, no leading zero) starting at `at`, or 0.
std::size_t sentinel_length(std::string_view text, std::size_t at) {
  constexpr std::size_t kPrefix = 10;  // "<extra_id_"
  std::size_t digits = 0;
  while (digits < 3 && at + kPrefix + digits < text.size() &&
         std::isdigit(static_cast<unsigned char>(text[at + kPrefix + digits]))) {
    ++digits;
  }
  const std::size_t close = at + kPrefix + digits;
  const bool valid =
      (digits == 1 || (digits == 2 && text[at + kPrefix] != '0')) && close < text.size() && text[close] == '>';
  return valid ? kPrefix + digits + 1 : 0;
}

/// A special token written literally in the text, found at `position`.
struct SpecialMatch {
  std::size_t position = std::string_view::npos;
  std::size_t length = 0;
  std::int64_t id = 0;
  bool sentinel = false;
};

}  // namespace

T5Tokenizer T5Tokenizer::from_directory(const std::filesystem::path& model_dir) {
  const auto file = model_dir / "spiece.model";
  CORAG_CHECK(std::filesystem::is_regular_file(file), file.string(),
              ": missing (a T5 model directory needs its SentencePiece model)");
  return T5Tokenizer(file);
}

T5Tokenizer::T5Tokenizer(const std::filesystem::path& spiece_model)
    : pieces_(spiece_model), piece_size_(pieces_.piece_size()) {
  const auto special = pieces_.special_ids();
  CORAG_CHECK(special.pad == kPadId && special.eos == kEosId && special.unk == kUnkId, spiece_model.string(),
              ": T5 needs pad=0, eos=1, unk=2 but the model has pad=", special.pad, ", eos=", special.eos,
              ", unk=", special.unk);
}

std::int64_t T5Tokenizer::sentinel_id(int index) const {
  CORAG_CHECK(index >= 0 && index < kSentinelCount, "sentinel <extra_id_", index, "> does not exist (0..99)");
  return piece_size_ + kSentinelCount - 1 - index;
}

bool T5Tokenizer::is_special(std::int64_t id) const {
  return id == kPadId || id == kEosId || id == kUnkId || id >= piece_size_;
}

void T5Tokenizer::append_text(std::string_view text, std::vector<std::int64_t>& ids) const {
  if (text.empty()) return;
  const auto pieces = pieces_.encode(text);
  ids.insert(ids.end(), pieces.begin(), pieces.end());
}

std::vector<std::int64_t> T5Tokenizer::encode(std::string_view text, std::size_t max_length) const {
  CORAG_CHECK(max_length >= 1, "T5 max_length must leave room for </s>");
  const std::pair<std::string_view, std::int64_t> fixed[] = {{"</s>", kEosId}, {"<pad>", kPadId}, {"<unk>", kUnkId}};
  const auto next_special = [&](std::size_t from) {
    SpecialMatch best;
    for (const auto& [literal, id] : fixed) {
      const auto at = text.find(literal, from);
      if (at < best.position) best = {at, literal.size(), id, false};
    }
    for (auto at = text.find("<extra_id_", from); at < best.position; at = text.find("<extra_id_", at + 1)) {
      if (const auto length = sentinel_length(text, at)) {
        best = {at, length, sentinel_id(std::stoi(std::string(text.substr(at + 10, length - 11)))), true};
        break;
      }
    }
    return best;
  };

  std::vector<std::int64_t> ids;
  std::size_t from = 0;
  bool after_sentinel = false;
  while (true) {
    const SpecialMatch match = next_special(from);
    const std::size_t stop = match.position == std::string_view::npos ? text.size() : match.position;
    append_text(trim(text.substr(from, stop - from), after_sentinel, match.sentinel), ids);
    if (match.position == std::string_view::npos) break;
    ids.push_back(match.id);
    after_sentinel = match.sentinel;
    from = match.position + match.length;
  }
  if (ids.size() > max_length - 1) ids.resize(max_length - 1);
  ids.push_back(kEosId);
  return ids;
}

std::string T5Tokenizer::decode(const std::vector<std::int64_t>& ids, bool skip_special) const {
  // HF's convert_tokens_to_string: runs of pieces are decoded by SentencePiece, special tokens
  // are spliced in with a space before the first of a run.
  std::string out;
  std::vector<int> run;
  bool previous_special = false;
  const auto flush = [&] {
    out += pieces_.decode(run);
    run.clear();
  };
  for (const std::int64_t id : ids) {
    CORAG_CHECK(id >= 0, "token id ", id, " is negative");
    if (id >= vocab_size()) continue;  // an embedding row without a piece (see beyond_vocabulary)
    if (!is_special(id)) {
      run.push_back(static_cast<int>(id));
      previous_special = false;
      continue;
    }
    if (skip_special) continue;
    if (!previous_special) out += ' ';
    flush();
    out += id >= piece_size_ ? "<extra_id_" + std::to_string(piece_size_ + kSentinelCount - 1 - id) + ">"
                             : pieces_.piece(static_cast<int>(id));
    previous_special = true;
  }
  flush();
  return std::string(trim(out, true, true));
}

std::size_t T5Tokenizer::beyond_vocabulary(const std::vector<std::int64_t>& ids) const {
  return static_cast<std::size_t>(
      std::count_if(ids.begin(), ids.end(), [&](std::int64_t id) { return id >= vocab_size(); }));
}

std::string T5Tokenizer::decode_answer(const std::vector<std::int64_t>& ids) const {
  auto begin = ids.begin();
  for (auto it = ids.begin(); it != ids.end(); ++it) {
    if (*it == sentinel_id(0)) {
      begin = it + 1;
      break;
    }
  }
  return decode(std::vector<std::int64_t>(begin, ids.end()), true);
}

void T5Tokenizer::save(const std::filesystem::path& model_dir) const {
  write_file_atomically(model_dir / "spiece.model", pieces_.serialized());
  const nlohmann::json config = {{"tokenizer_class", "T5Tokenizer"},
                                 {"extra_ids", kSentinelCount},
                                 {"eos_token", "</s>"},
                                 {"pad_token", "<pad>"},
                                 {"unk_token", "<unk>"}};
  write_file_atomically(model_dir / "tokenizer_config.json", config.dump(2) + "\n");
}

void warn_beyond_vocabulary(std::size_t count, std::int64_t vocab_size) {
  if (count == 0) return;
  spdlog::warn(
      "{} generated token ids are past the tokenizer's {} pieces and sentinels (embedding rows without a "
      "piece) and were decoded as nothing",
      count, vocab_size);
}

}  // namespace corag
