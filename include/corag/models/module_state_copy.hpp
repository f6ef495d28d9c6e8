#pragma once

#include <c10/util/Optional.h>
#include <torch/nn/module.h>

namespace corag {

/// Gives `copy`, a module built from the same config as `source` (so with the same parameter and
/// buffer names and shapes), deep copies of `source`'s parameters and buffers, on `device` or on
/// their own, with their dtypes and requires_grad flags, and `source`'s training mode. This is
/// torch::nn::Cloneable's copy, for models whose layout follows their config rather than a
/// `reset()`. Throws corag::Error naming a parameter or buffer the two do not share.
void copy_module_state(const torch::nn::Module& source, torch::nn::Module& copy,
                       const c10::optional<torch::Device>& device);

}  // namespace corag
