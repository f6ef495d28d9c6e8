#include "corag/text/sentencepiece_model.hpp"

#include <spdlog/spdlog.h>

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>

#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace {

constexpr const char* kPluginName = "libcorag_sentencepiece.so";

/// The plugin's entry points, resolved once per process; immutable afterwards.
struct Plugin {
  void* (*load)(const char*, char*, std::size_t) = nullptr;
  void (*free)(void*) = nullptr;
  int (*piece_size)(const void*) = nullptr;
  void (*special_ids)(const void*, int*, int*, int*) = nullptr;
  long (*encode)(const void*, const char*, std::size_t, int*, std::size_t, char*, std::size_t) = nullptr;
  long (*decode)(const void*, const int*, std::size_t, char*, std::size_t, char*, std::size_t) = nullptr;
  long (*id_to_piece)(const void*, int, char*, std::size_t) = nullptr;
  int (*train)(const char*, char*, std::size_t) = nullptr;
};

/// A message buffer the plugin fills on failure.
struct ErrorText {
  char text[1024] = {};
};

/// Where the plugin may be, in order: CORAG_SENTENCEPIECE_PLUGIN; beside the running program in
/// a build tree (bin/ and lib/) or an install (bin/ and lib/corag/, so an install can be moved);
/// the install prefix this library was configured with (a program of a C++ user linking the
/// installed library); the build tree it was built in.
std::vector<std::string> plugin_candidates() {
  std::vector<std::string> candidates;
  if (const char* configured = std::getenv("CORAG_SENTENCEPIECE_PLUGIN")) candidates.emplace_back(configured);
  std::error_code error;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (!error) {
    const auto prefix = executable.parent_path().parent_path();
    candidates.push_back((prefix / "lib" / kPluginName).string());
    candidates.push_back((prefix / CORAG_SENTENCEPIECE_PLUGIN_INSTALL_DIR / kPluginName).string());
  }
  candidates.push_back((std::filesystem::path(CORAG_SENTENCEPIECE_PLUGIN_INSTALL_PREFIX) /
                        CORAG_SENTENCEPIECE_PLUGIN_INSTALL_DIR / kPluginName)
                           .string());
  candidates.emplace_back(CORAG_SENTENCEPIECE_PLUGIN_PATH);
  return candidates;
}

template <typename Function>
void resolve(void* library, const char* name, Function& function) {
  function = reinterpret_cast<Function>(dlsym(library, name));
  CORAG_CHECK(function != nullptr, "the SentencePiece plugin lacks ", name, ": ", dlerror());
}

Plugin open_plugin() {
  std::string tried;
  void* library = nullptr;
  for (const auto& candidate : plugin_candidates()) {
    if (!std::filesystem::exists(candidate)) {
      tried += "\n  " + candidate + " (not found)";
      continue;
    }
    library = dlmopen(LM_ID_NEWLM, candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (library != nullptr) break;
    tried += "\n  " + candidate + " (" + dlerror() + ")";
  }
  CORAG_CHECK(library != nullptr, "cannot load the SentencePiece plugin ", kPluginName,
              " (set CORAG_SENTENCEPIECE_PLUGIN to its path); tried:", tried);
  Plugin plugin;
  resolve(library, "corag_spm_load", plugin.load);
  resolve(library, "corag_spm_free", plugin.free);
  resolve(library, "corag_spm_piece_size", plugin.piece_size);
  resolve(library, "corag_spm_special_ids", plugin.special_ids);
  resolve(library, "corag_spm_encode", plugin.encode);
  resolve(library, "corag_spm_decode", plugin.decode);
  resolve(library, "corag_spm_id_to_piece", plugin.id_to_piece);
  resolve(library, "corag_spm_train", plugin.train);
  return plugin;
}

const Plugin& plugin() {
  static const Plugin loaded = open_plugin();
  return loaded;
}

}  // namespace

SentencePieceModel::SentencePieceModel(const std::filesystem::path& model_file) : file_(model_file) {
  CORAG_CHECK(std::filesystem::is_regular_file(model_file), model_file.string(), ": no such SentencePiece model file");
  serialized_ = read_file(model_file);
  ErrorText error;
  handle_ = plugin().load(model_file.c_str(), error.text, sizeof(error.text));
  CORAG_CHECK(handle_ != nullptr, model_file.string(), ": not a SentencePiece model (", error.text, ")");
}

SentencePieceModel::~SentencePieceModel() {
  if (handle_ != nullptr) plugin().free(handle_);
}

SentencePieceModel::SentencePieceModel(SentencePieceModel&& other) noexcept
    : file_(std::move(other.file_)), serialized_(std::move(other.serialized_)), handle_(other.handle_) {
  other.handle_ = nullptr;
}

SentencePieceModel& SentencePieceModel::operator=(SentencePieceModel&& other) noexcept {
  if (this != &other) {
    if (handle_ != nullptr) plugin().free(handle_);
    file_ = std::move(other.file_);
    serialized_ = std::move(other.serialized_);
    handle_ = other.handle_;
    other.handle_ = nullptr;
  }
  return *this;
}

std::vector<int> SentencePieceModel::encode(std::string_view text) const {
  // At most one piece per byte plus the dummy prefix, so one call nearly always suffices.
  std::vector<int> ids(text.size() + 8);
  ErrorText error;
  for (;;) {
    const long count =
        plugin().encode(handle_, text.data(), text.size(), ids.data(), ids.size(), error.text, sizeof(error.text));
    CORAG_CHECK(count >= 0, file_.string(), ": SentencePiece could not encode text: ", error.text);
    const bool fits = static_cast<std::size_t>(count) <= ids.size();
    ids.resize(static_cast<std::size_t>(count));
    if (fits) return ids;
  }
}

std::string SentencePieceModel::decode(const std::vector<int>& ids) const {
  std::string text(ids.size() * 8 + 16, '\0');
  ErrorText error;
  for (;;) {
    const long length =
        plugin().decode(handle_, ids.data(), ids.size(), text.data(), text.size(), error.text, sizeof(error.text));
    CORAG_CHECK(length >= 0, file_.string(), ": SentencePiece could not decode: ", error.text);
    const bool fits = static_cast<std::size_t>(length) <= text.size();
    text.resize(static_cast<std::size_t>(length));
    if (fits) return text;
  }
}

std::string SentencePieceModel::piece(int id) const {
  std::string text(64, '\0');
  for (;;) {
    const long length = plugin().id_to_piece(handle_, id, text.data(), text.size());
    const bool fits = static_cast<std::size_t>(length) <= text.size();
    text.resize(static_cast<std::size_t>(length));
    if (fits) return text;
  }
}

int SentencePieceModel::piece_size() const { return plugin().piece_size(handle_); }

SentencePieceModel::SpecialIds SentencePieceModel::special_ids() const {
  SpecialIds ids;
  plugin().special_ids(handle_, &ids.pad, &ids.eos, &ids.unk);
  return ids;
}

void train_sentencepiece(const std::string& arguments) {
  spdlog::debug("SentencePiece trainer: {}", arguments);
  ErrorText error;
  CORAG_CHECK(plugin().train(arguments.c_str(), error.text, sizeof(error.text)) == 1,
              "SentencePiece training failed: ", error.text);
}

}  // namespace corag
