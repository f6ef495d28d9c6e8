#pragma once

#include <string>
#include <vector>

#include "corag/config/runtime.hpp"
#include "corag/models/retriever.hpp"
#include "corag/train/pretrain_config.hpp"
#include "corag/util/rng.hpp"

namespace corag {

/// Two random crops of `text`'s words, each a contiguous run of a fraction in
/// [crop_min, crop_max] of them (at least one word): Contriever's positive pair.
std::pair<std::string, std::string> random_crops(const std::string& text, double crop_min, double crop_max, Rng& rng);

/// `text` as the retriever sees a query under retriever.query_format: in the reader-query
/// template, or as it is.
std::string pretraining_query_text(const PretrainRetrieverConfig& config, const std::string& text);

/// Contriever-style pretraining of `retriever` (shared encoders): per step a batch of passages
/// (seeded epochs), two crops each embedded by the encoder (the first in the reader-query
/// template with retriever.query_format: reader), InfoNCE over the in-batch pairs in
/// both directions at `temperature`; AdamW with 5 % warmup and linear decay. Returns the mean
/// loss of the last tenth of the steps.
double pretrain_retriever_contrastive(Retriever& retriever, const std::vector<std::string>& texts,
                                      const PretrainRetrieverConfig& config, const Runtime& runtime);

}  // namespace corag
