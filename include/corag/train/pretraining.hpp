#pragma once

#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "corag/train/pretrain_config.hpp"

namespace corag {

/// `corag pretrain`: from random initialisation, on the passages of `config.data.corpus`:
/// 1. a SentencePiece model (SentencePiece's own trainer; T5's pad 0 / eos 1 / unk 2) and a
///    WordPiece vocabulary, both from the passages plus the question text of
///    `config.data.tokenizer_questions`;
/// 2. a BERT retriever of `config.retriever`'s shape, pretrained Contriever-style;
/// 3. a T5 reader of `config.reader`'s shape, pretrained with span corruption, with each
///    passage's nearest other passages (by the pretrained retriever) in context when
///    `reader.context_passages` > 0.
/// Writes `out/retriever` and `out/reader` (HF layout, each renamed into place when complete),
/// then `out/pretrain.json` (config hash, final losses, seconds per stage). Finished parts are
/// reused when run again with the same config; another config there is refused.
nlohmann::json run_pretraining(const PretrainConfig& config, const std::string& resolved_config_yaml,
                               const std::filesystem::path& out);

}  // namespace corag
