#include "corag/config/store_variants.hpp"

#include <algorithm>

namespace corag {

const std::vector<std::string>& store_variants() {
  static const std::vector<std::string> variants = {"REL", "IRR", "REL-1", "SPLIT", "PARTITION"};
  return variants;
}

const std::vector<std::string>& paper_store_variants() {
  static const std::vector<std::string> variants = {"REL", "IRR", "REL-1", "SPLIT"};
  return variants;
}

const std::vector<std::string>& ablation_stores() {
  static const std::vector<std::string> names = {"relevant-plus-80",
                                                 "relevant-plus-50",
                                                 "relevant-plus-20",
                                                 "relevant-plus-10",
                                                 "relevant-plus-1",
                                                 "empty",
                                                 "only-relevant",
                                                 "only-hardneg-irrelevant",
                                                 "only-relevant-hardneg",
                                                 "only-relevant-irrelevant",
                                                 "only-top1-relevant-irrelevant"};
  return names;
}

bool is_store_variant(const std::string& name) {
  const auto& variants = store_variants();
  if (std::find(variants.begin(), variants.end(), name) != variants.end()) return true;
  const std::string prefix = kAblationsPrefix;
  return name.size() > prefix.size() && name.rfind(prefix, 0) == 0 &&
         name.find('/', prefix.size()) == std::string::npos;
}

std::string store_variant_list(const std::string& separator, const std::vector<std::string>& extra) {
  std::string list;
  for (const auto* names : {&store_variants(), &extra}) {
    for (const auto& name : *names) list += (list.empty() ? "" : separator) + name;
  }
  return list;
}

}  // namespace corag
