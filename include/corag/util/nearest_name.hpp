#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace corag {

/// The candidate closest to `name` by edit distance, or "" when none is close enough to be a
/// plausible typo (distance at most a third of the longer name, and at least 1 for short ones).
std::string nearest_name(std::string_view name, const std::vector<std::string>& candidates);

/// Optimal-string-alignment distance: insert, delete, substitute or swap two adjacent characters,
/// each costing 1 (so the common typo "trian" is one step from "train").
std::size_t edit_distance(std::string_view a, std::string_view b);

}  // namespace corag
