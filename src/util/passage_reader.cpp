#include "corag/util/passage_reader.hpp"

#include <fstream>

#include "corag/util/error.hpp"
#include "corag/util/input_file.hpp"
#include "corag/util/json_fields.hpp"

namespace corag {
namespace fs = std::filesystem;

CorpusFormat detect_corpus_format(const fs::path& path) {
  const std::string extension = path.extension().string();
  if (extension == ".tsv") return CorpusFormat::dpr_tsv;
  if (extension == ".jsonl" || extension == ".json") return CorpusFormat::jsonl;
  require_input_file(path);
  std::ifstream in(path, std::ios::binary);
  CORAG_CHECK(in, path.string(), ": cannot open");
  char first = 0;
  in >> first;  // skips leading white space
  return first == '{' ? CorpusFormat::jsonl : CorpusFormat::dpr_tsv;
}

PassageReader::PassageReader(const fs::path& path) : format_(detect_corpus_format(path)) {
  if (format_ == CorpusFormat::jsonl) {
    jsonl_ = std::make_unique<JsonlReader>(path);
    return;
  }
  tsv_ = std::make_unique<TsvReader>(path, /*has_header=*/true);
  const std::vector<std::string> expected{"id", "text", "title"};
  CORAG_CHECK(tsv_->header() == expected, path.string(),
              ":1: a DPR TSV corpus starts with the header 'id<TAB>text<TAB>title'");
}

bool PassageReader::next(Passage& passage) {
  if (format_ == CorpusFormat::jsonl) {
    if (!jsonl_->next(value_)) return false;
    const std::string where = jsonl_->location();
    CORAG_CHECK(value_.is_object(), where, ": expected a JSON object, got ", value_.type_name());
    refuse_misspelt_keys(value_, {"id", "title", "text", "contents"}, where);
    passage.id = optional_id_field(value_, "id", where);
    CORAG_CHECK(!passage.id.empty(), where, ": missing 'id'");
    if (!value_.contains("contents")) {
      passage.title = optional_string_field(value_, "title", where);
      passage.text = required_string_field(value_, "text", where);
      return true;
    }
    CORAG_CHECK(!value_.contains("text") && !value_.contains("title"), where,
                ": has both Pyserini's 'contents' and 'text' or 'title'; a line is one format or the other");
    // Pyserini's JsonCollection: the title and the text as the lines of `contents`, the way
    // `pyserini.encode --fields title text` splits it (trailing white space dropped); one line is
    // the text alone.
    auto contents = required_string_field(value_, "contents", where);
    contents.erase(contents.find_last_not_of(" \t\r\n") + 1);
    const auto newline = contents.find('\n');
    passage.title = newline == std::string::npos ? "" : contents.substr(0, newline);
    passage.text = newline == std::string::npos ? contents : contents.substr(newline + 1);
    return true;
  }
  if (!tsv_->next(fields_)) return false;
  CORAG_CHECK(!fields_[0].empty(), tsv_->location(), ": empty passage id");
  passage.id = std::move(fields_[0]);
  passage.text = std::move(fields_[1]);
  passage.title = std::move(fields_[2]);
  return true;
}

std::string PassageReader::location() const {
  return format_ == CorpusFormat::jsonl ? jsonl_->location() : tsv_->location();
}

}  // namespace corag
