#pragma once

#include <filesystem>
#include <string>

namespace corag::test {

/// A SentencePiece model (unigram, 256 pieces, T5's pad 0 / eos 1 / unk 2) trained once per
/// test process by SentencePiece's own trainer on the NQ-open dev questions and answers.
const std::filesystem::path& tiny_spiece_model();

/// A WordPiece vocabulary (BERT's special tokens, a few words and continuations) written once per
/// test process.
const std::filesystem::path& tiny_vocab_file();

/// HF config.json contents of tiny models: BERT, T5 v1.0 (relu, tied) and v1.1 (gated-gelu,
/// untied, deeper decoder).
std::string tiny_bert_config_json();
std::string tiny_t5_config_json(bool v1_1);

}  // namespace corag::test
