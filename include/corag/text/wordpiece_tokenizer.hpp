#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "corag/text/basic_tokenizer.hpp"

namespace corag {

/// BERT / Contriever tokenizer (HF `BertTokenizer`): the basic tokenizer, then greedy
/// longest-match-first WordPiece with `##` continuations; a word longer than 100 code points or
/// with an unmatched remainder becomes `[UNK]`.
class WordPieceTokenizer {
 public:
  /// Loads `vocab.txt` (one token per line, id = line number) from a model directory, and
  /// `do_lower_case` / `strip_accents` / `tokenize_chinese_chars` from its
  /// `tokenizer_config.json` when present. The vocabulary must hold [PAD], [UNK], [CLS], [SEP].
  static WordPieceTokenizer from_directory(const std::filesystem::path& model_dir);
  /// Loads a `vocab.txt` file on its own.
  static WordPieceTokenizer from_vocab_file(const std::filesystem::path& vocab_file, BasicTokenizerOptions options);

  WordPieceTokenizer(std::vector<std::string> vocab, BasicTokenizerOptions options, std::string source);

  /// WordPiece strings of `text`, without [CLS]/[SEP].
  std::vector<std::string> tokenize(std::string_view text) const;
  /// `[CLS] tokens [SEP]`, the tokens cut so that the whole is at most `max_length` ids.
  std::vector<std::int64_t> encode(std::string_view text, std::size_t max_length) const;

  std::int64_t token_id(std::string_view token) const;  ///< [UNK]'s id when unknown
  const std::string& token(std::int64_t id) const;
  std::size_t vocab_size() const { return vocab_.size(); }
  std::int64_t pad_id() const { return pad_id_; }
  std::int64_t cls_id() const { return cls_id_; }
  std::int64_t sep_id() const { return sep_id_; }
  std::int64_t unk_id() const { return unk_id_; }
  const BasicTokenizerOptions& options() const { return basic_options_; }

  /// Writes `vocab.txt` and `tokenizer_config.json` into `model_dir` (atomically), as
  /// `transformers` expects them.
  void save(const std::filesystem::path& model_dir) const;

 private:
  void split_word(std::u32string_view word, std::vector<std::string>& out) const;
  std::int64_t required_id(std::string_view token) const;

  std::vector<std::string> vocab_;
  std::unordered_map<std::string, std::int64_t> ids_;
  BasicTokenizerOptions basic_options_;
  BasicTokenizer basic_;
  std::string source_;
  std::int64_t pad_id_ = 0, unk_id_ = 0, cls_id_ = 0, sep_id_ = 0;
};

}  // namespace corag
