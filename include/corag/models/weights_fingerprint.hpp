#pragma once

#include <string>

#include <torch/nn/module.h>

namespace corag {

/// A fingerprint of a module's weights: FNV-1a (64 bit) over every parameter's name, shape and
/// float32 values, as 16 hex digits. Stores record their passage encoder's fingerprint, so that
/// searching them with another encoder is caught.
std::string weights_fingerprint(const torch::nn::Module& module);

}  // namespace corag
