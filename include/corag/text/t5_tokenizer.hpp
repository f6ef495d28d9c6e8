#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "corag/text/sentencepiece_model.hpp"

namespace corag {

/// T5 tokenizer (HF `T5Tokenizer`, legacy mode) over a SentencePiece `spiece.model`: pad 0,
/// eos 1, unk 2, and 100 sentinels `<extra_id_i>` = id `piece_size + 99 - i` appended after the
/// pieces (32099 ... 32000 for T5). Sentinels and `</s>`, `<pad>`, `<unk>` written in the text
/// are recognised as single tokens; whitespace next to a sentinel is dropped (HF strips it);
/// each stretch of text between them is encoded by SentencePiece on its own.
class T5Tokenizer {
 public:
  static constexpr int kSentinelCount = 100;
  static constexpr std::int64_t kPadId = 0, kEosId = 1, kUnkId = 2;

  /// Loads `spiece.model` from a model directory.
  static T5Tokenizer from_directory(const std::filesystem::path& model_dir);
  explicit T5Tokenizer(const std::filesystem::path& spiece_model);

  /// Ids of `text` followed by `</s>`, cut to at most `max_length` ids (the `</s>` is kept).
  std::vector<std::int64_t> encode(std::string_view text, std::size_t max_length = SIZE_MAX) const;
  /// Text of `ids`; with `skip_special`, pad/eos/unk and sentinels are left out. Ids at or past
  /// vocab_size() decode as nothing: published T5 checkpoints have more embedding rows (32,128)
  /// than pieces and sentinels (32,100), and a model may generate one.
  std::string decode(const std::vector<std::int64_t>& ids, bool skip_special = true) const;
  /// How many of `ids` are at or past vocab_size() (what decode leaves out), for the warning.
  std::size_t beyond_vocabulary(const std::vector<std::int64_t>& ids) const;
  /// The answer in a generated sequence: what follows the first `<extra_id_0>` (the whole
  /// sequence when there is none), special tokens removed.
  std::string decode_answer(const std::vector<std::int64_t>& ids) const;

  std::int64_t sentinel_id(int index) const;
  bool is_special(std::int64_t id) const;
  /// SentencePiece pieces plus the sentinels: the smallest embedding the model may have.
  std::int64_t vocab_size() const { return piece_size_ + kSentinelCount; }
  std::int64_t piece_size() const { return piece_size_; }
  const std::filesystem::path& model_file() const { return pieces_.file(); }

  /// Copies `spiece.model` into `model_dir` and writes a `tokenizer_config.json` (atomically).
  void save(const std::filesystem::path& model_dir) const;

 private:
  void append_text(std::string_view text, std::vector<std::int64_t>& ids) const;

  SentencePieceModel pieces_;
  std::int64_t piece_size_ = 0;
};

/// Warns, once for a whole evaluation or generation, that `count` generated ids were past the
/// tokenizer's vocabulary and decoded as nothing; silent when `count` is 0.
void warn_beyond_vocabulary(std::size_t count, std::int64_t vocab_size);

}  // namespace corag
