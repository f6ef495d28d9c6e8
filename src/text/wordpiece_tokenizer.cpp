#include "corag/text/wordpiece_tokenizer.hpp"

#include <nlohmann/json.hpp>

#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/json_strict.hpp"

namespace corag {
namespace {

constexpr std::size_t kMaxWordChars = 100;  // HF's max_input_chars_per_word

BasicTokenizerOptions read_tokenizer_config(const std::filesystem::path& file) {
  BasicTokenizerOptions options;
  if (!std::filesystem::exists(file)) return options;
  const auto config = read_json_file(file);
  CORAG_CHECK(config.is_object(), file.string(), ": expected a JSON object");
  const auto flag = [&](const char* key, bool fallback) {
    if (!config.contains(key) || config[key].is_null()) return fallback;
    CORAG_CHECK(config[key].is_boolean(), file.string(), ": '", key, "' must be true, false or null");
    return config[key].get<bool>();
  };
  options.lower_case = flag("do_lower_case", true);
  options.strip_accents = flag("strip_accents", options.lower_case);
  options.split_cjk = flag("tokenize_chinese_chars", true);
  return options;
}

}  // namespace

WordPieceTokenizer WordPieceTokenizer::from_directory(const std::filesystem::path& model_dir) {
  const auto vocab_file = model_dir / "vocab.txt";
  CORAG_CHECK(std::filesystem::is_regular_file(vocab_file), vocab_file.string(),
              ": missing (a BERT/Contriever model directory needs its WordPiece vocabulary)");
  return from_vocab_file(vocab_file, read_tokenizer_config(model_dir / "tokenizer_config.json"));
}

WordPieceTokenizer WordPieceTokenizer::from_vocab_file(const std::filesystem::path& vocab_file,
                                                       BasicTokenizerOptions options) {
  const std::string content = read_file(vocab_file);
  std::vector<std::string> vocab;
  std::size_t start = 0;
  while (start < content.size()) {
    std::size_t end = content.find('\n', start);
    if (end == std::string::npos) end = content.size();
    std::string token = content.substr(start, end - start);
    if (!token.empty() && token.back() == '\r') token.pop_back();
    vocab.push_back(std::move(token));
    start = end + 1;
  }
  return WordPieceTokenizer(std::move(vocab), options, vocab_file.string());
}

WordPieceTokenizer::WordPieceTokenizer(std::vector<std::string> vocab, BasicTokenizerOptions options,
                                       std::string source)
    : vocab_(std::move(vocab)), basic_options_(options), basic_(options), source_(std::move(source)) {
  CORAG_CHECK(!vocab_.empty(), source_, ": empty vocabulary");
  // Like HF, a token listed twice keeps its last line's id.
  for (std::size_t i = 0; i < vocab_.size(); ++i) ids_[vocab_[i]] = static_cast<std::int64_t>(i);
  pad_id_ = required_id("[PAD]");
  unk_id_ = required_id("[UNK]");
  cls_id_ = required_id("[CLS]");
  sep_id_ = required_id("[SEP]");
}

std::int64_t WordPieceTokenizer::required_id(std::string_view token) const {
  const auto it = ids_.find(std::string(token));
  CORAG_CHECK(it != ids_.end(), source_, ": the vocabulary has no ", token, " token");
  return it->second;
}

std::int64_t WordPieceTokenizer::token_id(std::string_view token) const {
  const auto it = ids_.find(std::string(token));
  return it == ids_.end() ? unk_id_ : it->second;
}

const std::string& WordPieceTokenizer::token(std::int64_t id) const {
  CORAG_CHECK(id >= 0 && static_cast<std::size_t>(id) < vocab_.size(), source_, ": token id ", id,
              " is outside the vocabulary of ", vocab_.size());
  return vocab_[static_cast<std::size_t>(id)];
}

void WordPieceTokenizer::split_word(std::u32string_view word, std::vector<std::string>& out) const {
  if (word.size() > kMaxWordChars) {
    out.push_back(vocab_[static_cast<std::size_t>(unk_id_)]);
    return;
  }
  const std::size_t first = out.size();
  std::size_t start = 0;
  while (start < word.size()) {
    std::size_t end = word.size();
    bool found = false;
    while (start < end) {
      std::string candidate = (start > 0 ? "##" : "") + encode_utf8(word.substr(start, end - start));
      if (ids_.count(candidate)) {
        out.push_back(std::move(candidate));
        found = true;
        break;
      }
      --end;
    }
    if (!found) {
      out.resize(first);
      out.push_back(vocab_[static_cast<std::size_t>(unk_id_)]);
      return;
    }
    start = end;
  }
}

std::vector<std::string> WordPieceTokenizer::tokenize(std::string_view text) const {
  std::vector<std::string> pieces;
  for (const auto& word : basic_.tokenize(text)) split_word(decode_utf8(word), pieces);
  return pieces;
}

std::vector<std::int64_t> WordPieceTokenizer::encode(std::string_view text, std::size_t max_length) const {
  CORAG_CHECK(max_length >= 2, "WordPiece max_length must leave room for [CLS] and [SEP], got ", max_length);
  const auto pieces = tokenize(text);
  const std::size_t kept = std::min(pieces.size(), max_length - 2);
  std::vector<std::int64_t> ids;
  ids.reserve(kept + 2);
  ids.push_back(cls_id_);
  for (std::size_t i = 0; i < kept; ++i) ids.push_back(ids_.at(pieces[i]));
  ids.push_back(sep_id_);
  return ids;
}

void WordPieceTokenizer::save(const std::filesystem::path& model_dir) const {
  std::string content;
  for (const auto& token : vocab_) content += token + "\n";
  write_file_atomically(model_dir / "vocab.txt", content);
  const nlohmann::json config = {{"tokenizer_class", "BertTokenizer"},
                                 {"do_lower_case", basic_options_.lower_case},
                                 {"strip_accents", basic_options_.strip_accents},
                                 {"tokenize_chinese_chars", basic_options_.split_cjk}};
  write_file_atomically(model_dir / "tokenizer_config.json", config.dump(2) + "\n");
}

}  // namespace corag
