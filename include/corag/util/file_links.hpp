#pragma once

#include <filesystem>

namespace corag {

/// Fills `to` (created if missing) with the regular files of the tree `from`, as hard links
/// where the filesystem allows and as copies elsewhere. For files that are never changed in
/// place (every file corag writes is replaced by a rename), a link is a copy that costs no disk
/// while the original lives, and outlives its removal.
void link_tree(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace corag
