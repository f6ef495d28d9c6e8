#!/usr/bin/env bash
# Sets corag up if needed (Debian packages, configure, build) and runs the whole test suite
# through CTest. Exits non-zero on any failure. Extra arguments go to ctest (e.g. -L unit).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CORAG_BUILD_DIR:-"$repo_root/build"}
export CORAG_BUILD_DIR=$build_dir
# CI builds with warnings as errors (the code is -Wall -Wextra -Wpedantic clean).
if [ "${CI:-}" = true ]; then
  export CORAG_CMAKE_ARGS="${CORAG_CMAKE_ARGS:-} -DCORAG_WERROR=ON"
fi

"$repo_root/scripts/setup.sh"
cd "$build_dir"
ctest --output-on-failure --timeout 600 -j "$(nproc 2>/dev/null || echo 2)" "$@"
