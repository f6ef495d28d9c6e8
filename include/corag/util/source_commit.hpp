#pragma once

namespace corag {

/// The git commit this corag was built from ("...-dirty" with uncommitted changes, "unknown"
/// outside a git checkout), recorded at build time by cmake/git_commit.cmake.
const char* source_commit();

}  // namespace corag
