#include "corag/util/device_spec.hpp"

namespace corag {

bool is_device_spec(std::string_view spec) {
  if (spec == "cpu" || spec == "cuda" || spec == "auto") return true;
  return spec.size() > 5 && spec.size() < 9 && spec.rfind("cuda:", 0) == 0 &&
         spec.find_first_not_of("0123456789", 5) == std::string_view::npos;
}

}  // namespace corag
