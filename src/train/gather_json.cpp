#include "corag/train/gather_json.hpp"

#include "corag/util/json_strict.hpp"

namespace corag {

std::vector<nlohmann::json> gather_json(Collective& collective, const nlohmann::json& value, const std::string& what) {
  std::vector<nlohmann::json> values;
  for (const auto& text : collective.all_gather(value.dump(), what))
    values.push_back(parse_json_strict(text, what + " (a rank's message)"));
  return values;
}

}  // namespace corag
