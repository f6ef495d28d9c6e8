#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corag/config/enum_names.hpp"
#include "corag/config/experiment_config.hpp"
#include "corag/config/field_rules.hpp"

namespace corag {

/// SentencePiece's trainer for the reader's tokenizer.
enum class SentencePieceModelType { bpe, unigram };
inline const EnumNames<SentencePieceModelType>& enum_names(SentencePieceModelType) {
  static const EnumNames<SentencePieceModelType> names = {{SentencePieceModelType::bpe, "bpe"},
                                                          {SentencePieceModelType::unigram, "unigram"}};
  return names;
}

/// How contrastive pretraining embeds the first crop of a pair: as the reader query, or plain.
enum class PretrainQueryFormat { reader, plain };
inline const EnumNames<PretrainQueryFormat>& enum_names(PretrainQueryFormat) {
  static const EnumNames<PretrainQueryFormat> names = {{PretrainQueryFormat::reader, "reader"},
                                                       {PretrainQueryFormat::plain, "plain"}};
  return names;
}

/// Which spans span corruption masks: random ones (T5), or salient ones (names, places, years).
enum class SpanMasking { random, salient };
inline const EnumNames<SpanMasking>& enum_names(SpanMasking) {
  static const EnumNames<SpanMasking> names = {{SpanMasking::random, "random"}, {SpanMasking::salient, "salient"}};
  return names;
}

// `corag pretrain` (configs/demo-pretrain.yaml): tokenizers and tiny models of the real
// architectures trained from random initialisation on a passage corpus.

struct PretrainDataConfig {
  std::string corpus;  ///< passages (JSONL or DPR TSV)
  /// QA files whose question text (never the answers) joins the passages in the tokenizers'
  /// training text only: a corpus of encyclopaedic prose lacks question words ("when", "which",
  /// "occupation", "?"), which both tokenizers would otherwise spell in single characters.
  std::vector<std::string> tokenizer_questions;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.path("corpus", corpus);
    v.path("tokenizer_questions", tokenizer_questions);
  }
};

struct PretrainTokenizersConfig {
  std::int64_t spiece_vocab_size = 4000;  ///< SentencePiece pieces (T5 adds 100 sentinels)
  /// bpe: SentencePiece's unigram trainer caps its vocabulary on a small corpus of made-up names
  /// (about 1,200 pieces for the demo world, with "was" and "born" split) where BPE keeps words.
  SentencePieceModelType spiece_model_type = SentencePieceModelType::bpe;
  /// Digits are single pieces, so a year is spelled the same in a passage ("1709.") and in an
  /// answer ("1709") and can be copied piece by piece.
  bool spiece_split_digits = true;
  std::int64_t wordpiece_vocab_size = 8000;  ///< WordPiece entries at most
  std::int64_t wordpiece_min_count = 2;      ///< words rarer than this are spelled with pieces

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("spiece_vocab_size", spiece_vocab_size, between(50, 1e6));
    v.field("spiece_model_type", spiece_model_type);
    v.field("spiece_split_digits", spiece_split_digits);
    v.field("wordpiece_vocab_size", wordpiece_vocab_size, between(100, 1e7));
    v.field("wordpiece_min_count", wordpiece_min_count, at_least(1));
  }
};

/// Contriever-style contrastive pretraining of a BERT retriever: two random crops of a passage
/// are positives, the other passages of the batch negatives (InfoNCE).
struct PretrainRetrieverConfig {
  std::int64_t hidden_size = 64;
  std::int64_t layers = 2;
  std::int64_t heads = 4;
  std::int64_t intermediate_size = 256;
  std::int64_t max_length = 128;  ///< tokens per text (max_position_embeddings)
  std::int64_t steps = 300;
  std::int64_t batch_size = 32;
  double lr = 3e-4;
  double temperature = 0.05;
  double crop_min = 0.2;  ///< fraction of a passage's words in a crop, at least
  double crop_max = 0.6;  ///< ... and at most
  /// How the first crop of a pair is embedded: `reader`, as the reader query
  /// `question: {crop} answer: <extra_id_0>` (the text fine-tuning and evaluation embed with
  /// model.retriever_query: reader, so the retriever learns to look past the template); or
  /// `plain`, the crop alone (Contriever). With `reader`, the tokenizers also learn from the
  /// data.tokenizer_questions in that form.
  PretrainQueryFormat query_format = PretrainQueryFormat::reader;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("hidden_size", hidden_size, between(8, 1e5));
    v.field("layers", layers, between(1, 1000));
    v.field("heads", heads, between(1, 1000));
    v.field("intermediate_size", intermediate_size, between(8, 1e6));
    v.field("max_length", max_length, between(8, 65536));
    v.field("steps", steps, at_least(0));
    v.field("batch_size", batch_size, at_least(2));
    v.field("lr", lr, between(0, 1));
    v.field("temperature", temperature, positive());
    v.field("crop_min", crop_min, Limits{0.0, 1.0, true});
    v.field("crop_max", crop_max, Limits{0.0, 1.0, true});
    v.field("query_format", query_format);
  }
};

/// T5 span-corruption pretraining of the reader, optionally with retrieved passages in context
/// (Atlas-style: a corrupted window of a passage is the query, its nearest passages the context).
struct PretrainReaderConfig {
  std::int64_t d_model = 128;
  std::int64_t d_kv = 32;
  std::int64_t d_ff = 256;
  std::int64_t layers = 2;
  std::int64_t heads = 4;
  std::int64_t steps = 600;
  std::int64_t batch_size = 16;
  double lr = 1e-3;
  double noise_density = 0.15;
  double mean_span = 3.0;
  std::int64_t query_words = 24;  ///< the corrupted window of the passage that is the query
  double dropout = 0.0;           ///< T5 v1.1 pretrains without dropout; fine-tuning sets its own (model.dropout)
  SpanMasking masking = SpanMasking::random;
  std::int64_t context_passages = 2;  ///< 0: the corrupted passage alone
  /// The uncorrupted source passage is one of the context passages (Atlas filters it out):
  /// then the hidden words can be found in context, which teaches the reader to read and copy
  /// from retrieved text within a CPU-sized budget.
  bool include_source = true;
  /// With include_source: the source in context is cut to this many words around the query
  /// window (0: the whole passage). With fewer places to look, the copy is learnt sooner.
  std::int64_t source_words = 0;
  /// With include_source: the first this many steps read the source alone, the rest with its
  /// neighbours too. Copying is learnt far sooner from one passage than among several, and
  /// finding the source among neighbours is then learnt on top of it (demo world, source and 3
  /// neighbours: 3,000 steps with all four from the start end at loss 1.17; 4,000 steps alone
  /// and then 1,000 with all four at 0.33).
  std::int64_t source_only_steps = 0;
  std::int64_t text_maxlength = 128;
  std::int64_t target_maxlength = 48;
  /// Init std of the relative position biases (0: HF's d_model^-0.5). A larger one gives heads
  /// positional preferences from the start (previous/next-word heads); measured on a toy task,
  /// copying the word after a marker, at std 2: 500 steps instead of more than 4,000.
  double relative_bias_init_std = 0.0;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.field("d_model", d_model, between(8, 1e5));
    v.field("d_kv", d_kv, between(1, 1e4));
    v.field("d_ff", d_ff, between(8, 1e6));
    v.field("layers", layers, between(1, 1000));
    v.field("heads", heads, between(1, 1000));
    v.field("steps", steps, at_least(0));
    v.field("batch_size", batch_size, at_least(1));
    v.field("lr", lr, between(0, 1));
    v.field("noise_density", noise_density, Limits{0.0, 1.0, true});
    v.field("mean_span", mean_span, at_least(1));
    v.field("query_words", query_words, between(2, 100000));
    v.field("dropout", dropout, between(0, 1));
    v.field("masking", masking);
    v.field("context_passages", context_passages, between(0, 1000));
    v.field("include_source", include_source);
    v.field("source_words", source_words, at_least(0));
    v.field("source_only_steps", source_only_steps, at_least(0));
    v.field("text_maxlength", text_maxlength, between(8, 65536));
    v.field("target_maxlength", target_maxlength, between(2, 65536));
    v.field("relative_bias_init_std", relative_bias_init_std, between(0, 100));
  }
};

struct PretrainConfig {
  PretrainDataConfig data;
  PretrainTokenizersConfig tokenizers;
  PretrainRetrieverConfig retriever;
  PretrainReaderConfig reader;
  RuntimeConfig runtime;

  template <typename Visitor>
  void visit(Visitor& v) {
    v.section("data", data);
    v.section("tokenizers", tokenizers);
    v.section("retriever", retriever);
    v.section("reader", reader);
    v.section("runtime", runtime);
  }
  std::vector<ConfigProblem> check() const;
  /// The files the config names as inputs (require_config_inputs checks them).
  std::vector<InputPath> input_paths() const;
};

}  // namespace corag
