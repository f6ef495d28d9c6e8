#pragma once

#include <map>
#include <string>

namespace corag {

/// The demo's config files, `configs/demo*.yaml` as committed, built into the library at
/// compile time: file name -> text.
const std::map<std::string, std::string>& built_in_demo_configs();

}  // namespace corag
