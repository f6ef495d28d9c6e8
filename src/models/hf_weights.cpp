#include "corag/models/hf_weights.hpp"

#include <map>
#include <set>

#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "corag/util/error.hpp"
#include "corag/util/hf_model_tensors.hpp"

namespace corag {
namespace {

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

std::string list_text(const std::vector<std::string>& names) {
  constexpr std::size_t kShown = 12;
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < kShown; ++i) text += "\n    " + names[i];
  if (names.size() > kShown) text += "\n    ... and " + std::to_string(names.size() - kShown) + " more";
  return text;
}

}  // namespace

void load_hf_weights(torch::nn::Module& module, const std::filesystem::path& model_dir, const WeightNameRules& rules) {
  const HfModelTensors checkpoint(model_dir);
  auto parameters = module.named_parameters(/*recurse=*/true);
  std::map<std::string, std::string> source_of;  // parameter name -> checkpoint name
  std::vector<std::string> unexpected;
  std::size_t ignored = 0;
  for (const auto& name : checkpoint.names()) {
    std::string target = name;
    for (const auto& prefix : rules.optional_prefixes) {
      if (!parameters.contains(target) && starts_with(target, prefix)) target = target.substr(prefix.size());
    }
    if (parameters.contains(target)) {
      source_of[target] = name;  // a real parameter name wins over an alias
      continue;
    }
    bool handled = false;
    for (const auto& [alias, real] : rules.aliases) {
      if (target == alias) {
        source_of.emplace(real, name);
        handled = true;
      }
    }
    for (const auto& prefix : rules.ignored_prefixes) {
      if (!handled && starts_with(target, prefix)) {
        ++ignored;
        handled = true;
      }
    }
    if (!handled) unexpected.push_back(name);
  }

  std::vector<std::string> missing, mismatched;
  for (const auto& item : parameters) {
    const auto found = source_of.find(item.key());
    if (found == source_of.end()) {
      missing.push_back(item.key());
      continue;
    }
    const auto* entry = checkpoint.find(found->second);
    const auto dtype = to_torch_dtype(entry->dtype);
    if (!c10::isFloatingType(dtype)) {
      // An integer tensor would be converted to a model of whole numbers without a word.
      mismatched.push_back(found->second + ": dtype " + std::string(safetensors_dtype_name(entry->dtype)) +
                           ", not a floating-point type");
      continue;
    }
    const auto sizes = item.value().sizes();
    const std::vector<std::int64_t> expected(sizes.begin(), sizes.end());
    if (entry->shape != expected) {
      mismatched.push_back(found->second + ": checkpoint " + shape_text(entry->shape) + ", model " +
                           shape_text(expected));
    }
  }
  if (!missing.empty() || !unexpected.empty() || !mismatched.empty()) {
    std::string message = model_dir.string() + ": the weights do not match the model of config.json";
    if (!missing.empty())
      message += "\n  missing tensors (" + std::to_string(missing.size()) + "):" + list_text(missing);
    if (!unexpected.empty())
      message += "\n  unexpected tensors (" + std::to_string(unexpected.size()) + "):" + list_text(unexpected);
    if (!mismatched.empty())
      message += "\n  shape mismatches (" + std::to_string(mismatched.size()) + "):" + list_text(mismatched);
    throw Error(message);
  }
  if (ignored > 0) spdlog::info("{}: ignored {} tensors that this model does not use", model_dir.string(), ignored);

  torch::NoGradGuard no_grad;
  for (auto& item : parameters) item.value().copy_(checkpoint.tensor(source_of.at(item.key())));
}

void require_weights_cover(const std::filesystem::path& model_dir, std::int64_t parameters) {
  const HfModelTensors checkpoint(model_dir);
  std::int64_t held = 0;
  for (const auto& name : checkpoint.names()) {
    std::int64_t elements = 1;
    for (const auto size : checkpoint.find(name)->shape) elements *= size;  // each below the file's size
    held += elements;
  }
  CORAG_CHECK(held >= parameters, (model_dir / "config.json").string(), ": describes a model of ", parameters,
              " parameters, but the weights in ", model_dir.string(), " hold ", held, " values");
}

void save_hf_weights(const torch::nn::Module& module, const std::filesystem::path& model_dir) {
  std::vector<NamedTensor> tensors;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) {
    tensors.push_back({item.key(), item.value().detach()});
  }
  std::filesystem::create_directories(model_dir);
  write_hf_model_tensors(model_dir, tensors);
}

}  // namespace corag
