// The only code that links Debian's libsentencepiece. That library carries its own copy of
// protobuf 3.14 with exported symbols, which clash with the protobuf 3.21 that LibTorch loads:
// linked together, the process crashes while loading. So this file is built as a plugin
// (`corag_sentencepiece`) that sentencepiece_model.cpp opens in a link namespace of its own
// (dlmopen), where SentencePiece binds to its protobuf and LibTorch to the system one. The two
// namespaces have separate C and C++ runtimes, so the interface is plain C with caller-owned
// buffers. Not part of the `corag` library itself.
#include <sentencepiece_processor.h>
#include <sentencepiece_trainer.h>

#include <cstring>
#include <string>
#include <vector>

namespace {

const sentencepiece::SentencePieceProcessor& processor(const void* model) {
  return *static_cast<const sentencepiece::SentencePieceProcessor*>(model);
}

void copy_text(const std::string& text, char* buffer, std::size_t capacity) {
  if (capacity == 0) return;
  const std::size_t length = std::min(text.size(), capacity - 1);
  std::memcpy(buffer, text.data(), length);
  buffer[length] = '\0';
}

}  // namespace

// Exported by Debian's libsentencepiece (common.h, which is not installed, declares it).
namespace sentencepiece::logging {
void SetMinLogLevel(int level);
}  // namespace sentencepiece::logging

extern "C" {

void* corag_spm_load(const char* path, char* error, std::size_t error_capacity) {
  auto* loaded = new sentencepiece::SentencePieceProcessor();
  const auto status = loaded->Load(path);
  if (status.ok()) return loaded;
  copy_text(status.ToString(), error, error_capacity);
  delete loaded;
  return nullptr;
}

void corag_spm_free(void* model) { delete static_cast<sentencepiece::SentencePieceProcessor*>(model); }

int corag_spm_piece_size(const void* model) { return processor(model).GetPieceSize(); }

void corag_spm_special_ids(const void* model, int* pad, int* eos, int* unk) {
  *pad = processor(model).pad_id();
  *eos = processor(model).eos_id();
  *unk = processor(model).unk_id();
}

/// Writes up to `capacity` ids; returns how many there are (-1 on error).
long corag_spm_encode(const void* model, const char* text, std::size_t size, int* ids, std::size_t capacity,
                      char* error, std::size_t error_capacity) {
  std::vector<int> pieces;
  const auto status = processor(model).Encode(std::string(text, size), &pieces);
  if (!status.ok()) {
    copy_text(status.ToString(), error, error_capacity);
    return -1;
  }
  std::memcpy(ids, pieces.data(), std::min(pieces.size(), capacity) * sizeof(int));
  return static_cast<long>(pieces.size());
}

/// Writes up to `capacity` bytes of the text (no terminator); returns its length (-1 on error).
long corag_spm_decode(const void* model, const int* ids, std::size_t count, char* text, std::size_t capacity,
                      char* error, std::size_t error_capacity) {
  std::string decoded;
  const auto status = processor(model).Decode(std::vector<int>(ids, ids + count), &decoded);
  if (!status.ok()) {
    copy_text(status.ToString(), error, error_capacity);
    return -1;
  }
  std::memcpy(text, decoded.data(), std::min(decoded.size(), capacity));
  return static_cast<long>(decoded.size());
}

/// Writes up to `capacity` bytes of the piece (no terminator); returns its length.
long corag_spm_id_to_piece(const void* model, int id, char* text, std::size_t capacity) {
  const std::string piece = processor(model).IdToPiece(id);
  std::memcpy(text, piece.data(), std::min(piece.size(), capacity));
  return static_cast<long>(piece.size());
}

int corag_spm_train(const char* arguments, char* error, std::size_t error_capacity) {
  // The trainer logs its whole command line at INFO before it parses --minloglevel (corag logs it
  // at debug level instead): SentencePiece's own messages start at warnings.
  sentencepiece::logging::SetMinLogLevel(1);
  const auto status = sentencepiece::SentencePieceTrainer::Train(arguments);
  if (!status.ok()) copy_text(status.ToString(), error, error_capacity);
  return status.ok() ? 1 : 0;
}

}  // extern "C"
