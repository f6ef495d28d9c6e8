#pragma once

#include <cstdint>
#include <vector>

#include "corag/config/runtime.hpp"
#include "corag/models/fid_reader.hpp"
#include "corag/train/pretrain_config.hpp"

namespace corag {

/// T5 span-corruption pretraining of the reader over `passages`: each example is a passage's
/// text with spans hidden behind sentinels (`noise_density`, `mean_span`), read as
/// `title: {title} context: {corrupted}`; with `context[i]` (indices into `passages`, e.g. the
/// nearest other passages by the retriever) that query is paired with each context passage,
/// FiD-style, as the reader sees retrieved passages in QA (Atlas's format). The target is the
/// sentinels with the hidden words. AdamW with 5 % warmup and linear decay. Returns the mean
/// loss of the last tenth of the steps.
double pretrain_reader_span_corruption(FidReader& reader, const std::vector<ReaderPassage>& passages,
                                       const std::vector<std::vector<std::size_t>>& context,
                                       const PretrainReaderConfig& config, const Runtime& runtime);

}  // namespace corag
