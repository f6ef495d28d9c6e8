#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "corag/train/collective.hpp"

namespace corag {

/// Every rank's `value`, in rank order, on every rank (Collective::all_gather of its text); a
/// message that does not parse is an error naming `what`.
std::vector<nlohmann::json> gather_json(Collective& collective, const nlohmann::json& value, const std::string& what);

}  // namespace corag
