#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <torch/nn/module.h>

namespace corag {

/// How a checkpoint's tensor names map onto a module's parameter names (which are the HF names).
struct WeightNameRules {
  /// Stripped from a checkpoint name when present (`bert.`, `model.`).
  std::vector<std::string> optional_prefixes;
  /// Tensors `transformers` itself ignores when loading this class (heads of other tasks,
  /// unused legacy tensors); skipped with an info message.
  std::vector<std::string> ignored_prefixes;
  /// Checkpoint names that are another name of a parameter (tied embeddings), as {alias, name}.
  std::vector<std::pair<std::string, std::string>> aliases;
};

/// Loads every parameter of `module` from the safetensors of `model_dir` (single or sharded),
/// converting dtype and device. Missing, unexpected and mis-shaped tensors are reported together
/// in one corag::Error that names them and the directory; nothing is half-loaded silently.
void load_hf_weights(torch::nn::Module& module, const std::filesystem::path& model_dir, const WeightNameRules& rules);

/// Throws naming config.json when the safetensors of `model_dir` hold fewer elements than the
/// `parameters` its config describes: a config.json with sizes in the millions would otherwise
/// allocate gigabytes before the weights' shapes are compared. Reads the headers only.
void require_weights_cover(const std::filesystem::path& model_dir, std::int64_t parameters);

/// Saves every parameter of `module` under its name as `model.safetensors` (sharded above 5 GB)
/// in `model_dir`, in the parameters' own dtype.
void save_hf_weights(const torch::nn::Module& module, const std::filesystem::path& model_dir);

}  // namespace corag
