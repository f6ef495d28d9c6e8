#pragma once

#include <string_view>

namespace corag {

/// Whether `spec` is spelled like a device: `cpu`, `cuda`, `cuda:N` (N < 1000) or `auto`.
/// Checks no hardware (see resolve_device), so configs can be validated anywhere.
bool is_device_spec(std::string_view spec);

}  // namespace corag
