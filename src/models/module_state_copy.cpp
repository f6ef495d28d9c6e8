#include "corag/models/module_state_copy.hpp"

#include <torch/torch.h>

#include "corag/util/error.hpp"

namespace corag {
namespace {

/// Replaces each tensor of `to` with a copy of the same-named one of `from`; set_data keeps the
/// tensor objects that modules hold as members valid.
void copy_tensors(const torch::OrderedDict<std::string, torch::Tensor>& from,
                  torch::OrderedDict<std::string, torch::Tensor> to, const c10::optional<torch::Device>& device,
                  const char* what) {
  CORAG_CHECK(from.size() == to.size(), "module copy: the source has ", from.size(), " ", what, ", the copy ",
              to.size());
  for (auto& item : to) {
    const auto* source = from.find(item.key());
    CORAG_CHECK(source != nullptr, "module copy: the source has no ", what, " '", item.key(), "'");
    CORAG_CHECK(source->sizes() == item.value().sizes(), "module copy: ", what, " '", item.key(), "' is ",
                source->sizes(), " in the source and ", item.value().sizes(), " in the copy");
    const bool requires_grad = source->requires_grad();
    auto data = source->detach().to(device.value_or(source->device()), /*non_blocking=*/false, /*copy=*/true);
    item.value().set_data(data);
    if (item.value().is_leaf()) item.value().set_requires_grad(requires_grad);
  }
}

}  // namespace

void copy_module_state(const torch::nn::Module& source, torch::nn::Module& copy,
                       const c10::optional<torch::Device>& device) {
  torch::NoGradGuard no_grad;
  copy_tensors(source.named_parameters(), copy.named_parameters(), device, "parameters");
  copy_tensors(source.named_buffers(), copy.named_buffers(), device, "buffers");
  copy.train(source.is_training());
}

}  // namespace corag
