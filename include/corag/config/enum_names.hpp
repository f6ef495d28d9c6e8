#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "corag/config/field_rules.hpp"
#include "corag/util/error.hpp"

namespace corag {

/// One value of an enumerated config field and how configs, logs and JSON spell it.
template <typename Enum>
struct EnumName {
  Enum value;
  const char* name;
};

/// Every value of an enum with its spelling. An enum used in configs provides
/// `const EnumNames<E>& enum_names(E)` beside its definition (found by argument-dependent lookup).
template <typename Enum>
using EnumNames = std::vector<EnumName<Enum>>;

/// The spelling of `value`.
template <typename Enum, typename = std::enable_if_t<std::is_enum_v<Enum>>>
std::string to_string(Enum value) {
  for (const auto& entry : enum_names(Enum{})) {
    if (entry.value == value) return entry.name;
  }
  throw_error("enum value ", static_cast<long long>(value), " has no name");
}

/// The spellings, in their order (for config errors and command-line checks).
template <typename Enum>
Choices enum_choices() {
  Choices names;
  for (const auto& entry : enum_names(Enum{})) names.emplace_back(entry.name);
  return names;
}

/// The value spelt `name`; `what` names the field or option in the error.
template <typename Enum>
Enum enum_from_name(const std::string& name, const std::string& what) {
  for (const auto& entry : enum_names(Enum{})) {
    if (name == entry.name) return entry.value;
  }
  std::string list;
  for (const auto& choice : enum_choices<Enum>()) list += (list.empty() ? "" : ", ") + choice;
  throw_error(what, ": must be one of ", list, "; got '", name, "'");
}

}  // namespace corag
