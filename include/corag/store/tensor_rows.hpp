#pragma once

#include <torch/types.h>

#include "corag/store/faiss_index.hpp"

namespace corag {

/// `vectors` [n, dim] as float32 CPU rows for FAISS; `storage` holds the converted copy (or the
/// tensor itself when it already is one) for as long as the rows are used.
FloatRows tensor_rows(const torch::Tensor& vectors, torch::Tensor& storage);

}  // namespace corag
