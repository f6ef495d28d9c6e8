#include "corag/train/pretraining.hpp"

#include <chrono>
#include <fstream>

#include <spdlog/spdlog.h>

#include "corag/models/random_checkpoint.hpp"
#include "corag/models/retriever.hpp"
#include "corag/store/dense_store.hpp"
#include "corag/text/sentencepiece_model.hpp"
#include "corag/text/wordpiece_vocabulary.hpp"
#include "corag/train/contrastive_pretraining.hpp"
#include "corag/train/span_corruption_pretraining.hpp"
#include "corag/util/atomic_file.hpp"
#include "corag/util/error.hpp"
#include "corag/util/fnv1a.hpp"
#include "corag/util/json_strict.hpp"
#include "corag/util/passage_reader.hpp"
#include "corag/util/qa_reader.hpp"

namespace corag {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

/// Each model folder keeps its stage's final loss (`pretraining.json`), written with it
/// atomically, so that a run resumed after the stage reports the loss as an uninterrupted one.
constexpr const char* kStageLossName = "pretraining.json";

void write_stage_loss(const std::filesystem::path& model_dir, double loss) {
  write_file_atomically(model_dir / kStageLossName, nlohmann::json{{"loss", loss}}.dump() + "\n");
}

double read_stage_loss(const std::filesystem::path& model_dir) {
  const auto file = model_dir / kStageLossName;
  const auto value = read_json_file(file);
  CORAG_CHECK(value.contains("loss") && value["loss"].is_number(), file.string(), ": needs a numeric 'loss'");
  return value["loss"].get<double>();
}

/// The corpus as the reader reads passages and as the retriever embeds them.
struct PretrainingCorpus {
  std::vector<ReaderPassage> passages;
  std::vector<std::string> texts;
};

PretrainingCorpus read_corpus(const PretrainConfig& config) {
  PretrainingCorpus corpus;
  PassageReader reader(config.data.corpus);
  for (Passage passage; reader.next(passage);) {
    corpus.texts.push_back(retriever_passage_text(passage.title, passage.text));
    corpus.passages.push_back({passage.title, passage.text});
  }
  CORAG_CHECK(corpus.passages.size() >= 2, config.data.corpus, ": pretraining needs at least two passages");
  return corpus;
}

/// `spiece.model` (SentencePiece, the reader's) and `vocab.txt` (WordPiece, the retriever's),
/// learnt from the passages and data.tokenizer_questions.
void train_tokenizers(const PretrainConfig& config, const std::vector<std::string>& texts, const Runtime& runtime,
                      const fs::path& spiece, const fs::path& vocab) {
  const auto out = spiece.parent_path();
  auto tokenizer_texts = texts;
  for (const auto& file : config.data.tokenizer_questions) {
    QaReader questions(file, AnswersPolicy::optional);
    for (QaRecord record; questions.next(record);) {
      tokenizer_texts.push_back(pretraining_query_text(config.retriever, record.question));
    }
  }
  const auto text_file = out / "tokenizer_corpus.txt";
  write_file_atomically(text_file, [&](std::ostream& stream) {
    for (const auto& text : tokenizer_texts) stream << text << '\n';
  });
  const auto prefix = out / ".spiece";
  train_sentencepiece("--input=" + text_file.string() + " --model_prefix=" + prefix.string() +
                      " --vocab_size=" + std::to_string(config.tokenizers.spiece_vocab_size) +
                      " --model_type=" + to_string(config.tokenizers.spiece_model_type) +
                      " --split_digits=" + (config.tokenizers.spiece_split_digits ? "true" : "false") +
                      // The reader's input (`question: ...? answer: ... title: ... context: ...`)
                      // has colons and question marks, which a corpus of plain prose may lack.
                      " --user_defined_symbols=:,?"
                      " --pad_id=0 --eos_id=1 --unk_id=2 --bos_id=-1 --character_coverage=1.0"
                      " --hard_vocab_limit=false --minloglevel=2 --num_threads=" +
                      std::to_string(runtime.threads));
  fs::rename(prefix.string() + ".model", spiece);
  fs::remove(prefix.string() + ".vocab");
  fs::remove(text_file);
  const auto words =
      learn_wordpiece_vocabulary(tokenizer_texts, static_cast<std::size_t>(config.tokenizers.wordpiece_vocab_size),
                                 static_cast<std::size_t>(config.tokenizers.wordpiece_min_count));
  write_file_atomically(vocab, [&](std::ostream& stream) {
    for (const auto& word : words) stream << word << '\n';
  });
}

/// The retriever, initialised at random and pretrained contrastively, into `retriever_dir`.
void pretrain_retriever(const PretrainConfig& config, const std::vector<std::string>& texts, const Runtime& runtime,
                        const fs::path& vocab, const fs::path& retriever_dir) {
  const auto& r = config.retriever;
  write_directory_atomically(retriever_dir, [&](const fs::path& folder) {
    write_random_retriever({{"hidden_size", r.hidden_size},
                            {"num_hidden_layers", r.layers},
                            {"num_attention_heads", r.heads},
                            {"intermediate_size", r.intermediate_size},
                            {"max_position_embeddings", r.max_length}},
                           vocab, folder, derive_seed(runtime.seed, "pretrain/retriever/init"));
    auto retriever = Retriever::load(folder, runtime.device);
    write_stage_loss(folder, pretrain_retriever_contrastive(retriever, texts, r, runtime));
    retriever.save(folder);
  });
}

/// Each passage's context for reader pretraining: the passage itself (with include_source), then
/// its nearest other passages under the pretrained retriever; empty without context_passages.
std::vector<std::vector<std::size_t>> reader_contexts(const PretrainConfig& config, const Runtime& runtime,
                                                      const fs::path& out) {
  const auto& t = config.reader;
  std::vector<std::vector<std::size_t>> context;
  if (t.context_passages == 0) return context;
  auto retriever = Retriever::load(out / "retriever", runtime.device);
  const auto store_dir = out / "pretrain_store";
  // A scratch store: one left by an interrupted run is rebuilt, not refused.
  fs::remove_all(store_dir);
  StoreBuildOptions options;
  options.batch_size = 64;
  DenseStore::build(retriever, config.data.corpus, store_dir, options);
  const DenseStore store(store_dir);
  const auto k = static_cast<std::size_t>(t.context_passages);
  for (std::size_t begin = 0; begin < store.size(); begin += 1024) {
    const auto end = std::min(store.size(), begin + 1024);
    const auto hits = store.top_k(store.embeddings(begin, end), k + 1, runtime.device, runtime.compute_dtype);
    for (std::size_t i = begin; i < end; ++i) {
      std::vector<std::size_t> others;
      if (t.include_source) others.push_back(i);
      for (const auto& hit : hits[i - begin]) {
        if (hit.row != i && others.size() < k) others.push_back(hit.row);
      }
      context.push_back(std::move(others));
    }
  }
  fs::remove_all(store_dir);
  return context;
}

/// The reader, initialised at random and pretrained by span corruption, into `reader_dir`.
void pretrain_reader(const PretrainConfig& config, const std::vector<ReaderPassage>& passages,
                     const std::vector<std::vector<std::size_t>>& context, const Runtime& runtime,
                     const fs::path& spiece, const fs::path& reader_dir) {
  const auto& t = config.reader;
  write_directory_atomically(reader_dir, [&](const fs::path& folder) {
    write_random_reader({{"d_model", t.d_model},
                         {"d_kv", t.d_kv},
                         {"d_ff", t.d_ff},
                         {"num_layers", t.layers},
                         {"num_heads", t.heads},
                         {"dropout_rate", t.dropout}},
                        spiece, folder, derive_seed(runtime.seed, "pretrain/reader/init"), t.relative_bias_init_std);
    auto reader = FidReader::load(folder, runtime.device);
    write_stage_loss(folder, pretrain_reader_span_corruption(reader, passages, context, t, runtime));
    reader.save(folder);
  });
}

}  // namespace

std::vector<ConfigProblem> PretrainConfig::check() const {
  std::vector<ConfigProblem> problems;
  if (data.corpus.empty()) problems.push_back({"data.corpus", "must name the passage corpus"});
  if (retriever.crop_min > retriever.crop_max)
    problems.push_back({"retriever.crop_min", "must not exceed retriever.crop_max"});
  if (retriever.hidden_size % retriever.heads != 0)
    problems.push_back({"retriever.heads", "must divide retriever.hidden_size"});
  if (reader.source_words > 0 && (!reader.include_source || reader.context_passages == 0)) {
    problems.push_back({"reader.source_words",
                        "cuts the source passage in context: needs reader.include_source and context_passages > 0"});
  }
  if (reader.source_only_steps > 0 && (!reader.include_source || reader.context_passages == 0)) {
    problems.push_back({"reader.source_only_steps",
                        "reads the source passage alone first: needs reader.include_source and context_passages > 0"});
  }
  return problems;
}

std::vector<InputPath> PretrainConfig::input_paths() const {
  std::vector<InputPath> inputs = {{"data.corpus", data.corpus, InputKind::file}};
  for (const auto& questions : data.tokenizer_questions) {
    inputs.push_back({"data.tokenizer_questions", questions, InputKind::file});
  }
  return inputs;
}

nlohmann::json run_pretraining(const PretrainConfig& config, const std::string& resolved_config_yaml,
                               const fs::path& out) {
  const auto hash = fnv1a_hex(resolved_config_yaml);
  const auto marker = out / "pretrain.json";
  const auto progress_marker = out / "pretrain.config";
  if (fs::exists(marker)) {
    const auto done = read_json_file(marker);
    CORAG_CHECK(done.at("config_hash") == hash, out.string(), " holds models pretrained with another config");
    fs::remove(progress_marker);  // left by a kill between writing the marker and removing it
    spdlog::info("pretrain: reusing {}", out.string());
    return done;
  }
  require_config_inputs(config.input_paths(), "corag pretrain");
  if (fs::exists(progress_marker)) {
    CORAG_CHECK(read_file(progress_marker) == hash, out.string(),
                " holds an unfinished pretraining with another config; remove it or choose another --out");
  } else {
    write_file_atomically(progress_marker, hash);
  }
  const Runtime runtime = apply_runtime(config.runtime);
  nlohmann::json summary = {{"config_hash", hash}, {"seconds", nlohmann::json::object()}};

  const auto corpus = read_corpus(config);

  auto start = Clock::now();
  const auto spiece = out / "spiece.model";
  const auto vocab = out / "vocab.txt";
  if (!fs::exists(spiece) || !fs::exists(vocab)) {
    train_tokenizers(config, corpus.texts, runtime, spiece, vocab);
  }
  summary["seconds"]["tokenizers"] = seconds_since(start);

  start = Clock::now();
  const auto retriever_dir = out / "retriever";
  if (!fs::exists(retriever_dir / "config.json")) {
    pretrain_retriever(config, corpus.texts, runtime, vocab, retriever_dir);
  }
  summary["retriever_loss"] = read_stage_loss(retriever_dir);
  summary["seconds"]["retriever"] = seconds_since(start);

  start = Clock::now();
  const auto reader_dir = out / "reader";
  if (!fs::exists(reader_dir / "config.json")) {
    pretrain_reader(config, corpus.passages, reader_contexts(config, runtime, out), runtime, spiece, reader_dir);
  }
  summary["reader_loss"] = read_stage_loss(reader_dir);
  summary["seconds"]["reader"] = seconds_since(start);
  write_file_atomically(marker, summary.dump(2) + "\n");
  fs::remove(progress_marker);
  return summary;
}

}  // namespace corag
