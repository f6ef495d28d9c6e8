#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "corag/config/enum_names.hpp"

namespace corag::cli {

/// An option whose value is one of an enum's spellings (`enum_names`), checked by CLI11 and
/// stored as the enum; the help shows the spellings and the current value as the default.
template <typename Enum>
CLI::Option* add_enum_option(CLI::App& command, const std::string& name, Enum& value, const std::string& help) {
  return command
      .add_option_function<std::string>(
          name, [&value, name](const std::string& text) { value = enum_from_name<Enum>(text, name); }, help)
      ->check(CLI::IsMember(enum_choices<Enum>()))
      ->default_str(to_string(value));
}

}  // namespace corag::cli
