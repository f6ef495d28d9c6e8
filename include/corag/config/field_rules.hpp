#pragma once

#include <optional>
#include <string>
#include <vector>

namespace corag {

/// Numeric bounds of a config field.
struct Limits {
  std::optional<double> min;
  std::optional<double> max;
  bool min_exclusive = false;
};

inline Limits at_least(double min) { return {min, std::nullopt, false}; }
inline Limits between(double min, double max) { return {min, max, false}; }
/// Strictly greater than zero.
inline Limits positive() { return {0.0, std::nullopt, true}; }

/// The allowed spellings of an enumerated string field.
using Choices = std::vector<std::string>;

/// A problem found by a config's cross-field check; `key` ("train.batch_size") lets the loader
/// say where in the file (or which --set) the value came from.
struct ConfigProblem {
  std::string key;
  std::string message;
};

}  // namespace corag
