#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace corag {

/// A loaded SentencePiece model, through the `corag_sentencepiece` plugin (see
/// src/text/sentencepiece_plugin.cpp for why SentencePiece cannot be linked directly).
/// The plugin (loaded once, into a link namespace of its own) is looked up in $CORAG_SENTENCEPIECE_PLUGIN, then
/// `../lib/` beside the running executable, then the build tree it was compiled in.
class SentencePieceModel {
 public:
  explicit SentencePieceModel(const std::filesystem::path& model_file);
  ~SentencePieceModel();
  SentencePieceModel(SentencePieceModel&& other) noexcept;
  SentencePieceModel& operator=(SentencePieceModel&& other) noexcept;
  SentencePieceModel(const SentencePieceModel&) = delete;
  SentencePieceModel& operator=(const SentencePieceModel&) = delete;

  std::vector<int> encode(std::string_view text) const;
  std::string decode(const std::vector<int>& ids) const;
  std::string piece(int id) const;
  int piece_size() const;
  struct SpecialIds {
    int pad = -1, eos = -1, unk = -1;
  };
  /// Ids the model assigns to pad, eos and unk (-1 when it has none).
  SpecialIds special_ids() const;
  const std::filesystem::path& file() const { return file_; }
  /// The model file's bytes as read at load: what saving the tokenizer writes, so that a model
  /// can be saved after the file it came from is gone (a pruned checkpoint).
  const std::string& serialized() const { return serialized_; }

 private:
  std::filesystem::path file_;
  std::string serialized_;
  void* handle_ = nullptr;
};

/// Runs SentencePiece's own trainer with its command-line style arguments
/// (`--input=... --model_prefix=... --vocab_size=...`).
void train_sentencepiece(const std::string& arguments);

}  // namespace corag
