#!/usr/bin/env bash
# Installs the Debian packages corag needs (only those missing; `apt-get update` at most once),
# then configures and builds the project with CMake + Ninja.
#
# Environment:
#   CORAG_BUILD_DIR   build directory (default: build)
#   CORAG_BUILD_TYPE  CMake build type (default: Release)
#   CORAG_CMAKE_ARGS  extra arguments for the CMake configure step (e.g. -DCORAG_SANITIZE=address)
#   CORAG_BUILD_TARGETS  build only these targets (space-separated; default: all)
#   CORAG_SKIP_APT=1  never call apt-get (fail at configure time if something is missing)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CORAG_BUILD_DIR:-"$repo_root/build"}
build_type=${CORAG_BUILD_TYPE:-Release}

packages=(
  g++ cmake ninja-build pkg-config
  libtorch-dev libfaiss-dev libopenblas-dev
  libsentencepiece-dev libutf8proc-dev libstemmer-dev libcli11-dev libspdlog-dev nlohmann-json3-dev libyaml-cpp-dev catch2
  nettle-dev  # SHA-256 of inputs, indexes and run cards
  libgloo-dev  # Gloo's headers, for c10d's ProcessGroupGloo (src/dist)
  python3-torch  # scripts/convert_*.py and the test that runs scripts/convert_atlas_checkpoint.py
  clang libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer targets
  clang-format  # scripts/check_format.sh
  help2man  # man pages from the tools' --help
  dpkg-dev  # dpkg-shlibdeps: the .deb's Depends (cpack -G DEB, tests/install/install_test.sh)
  python3-faiss  # scripts/python_interop.py: corag's FAISS indexes read by Python's FAISS
  python3-matplotlib  # scripts/plot_report.py: figures, headless
)

missing_packages() {
  local pkg
  for pkg in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
      printf '%s\n' "$pkg"
    fi
  done
}

install_packages() {
  local missing
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    return 0
  fi
  if [ "${CORAG_SKIP_APT:-0}" = 1 ]; then
    echo "setup: missing Debian packages (CORAG_SKIP_APT=1, not installing): ${missing[*]}" >&2
    return 0
  fi
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

install_packages

jobs=$(nproc 2>/dev/null || echo 2)
if [ ! -f "$build_dir/build.ninja" ]; then
  # shellcheck disable=SC2086  # CORAG_CMAKE_ARGS is a list of words on purpose
  cmake -S "$repo_root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE="$build_type" ${CORAG_CMAKE_ARGS:-}
fi
# shellcheck disable=SC2086  # CORAG_BUILD_TARGETS is a list of words on purpose
cmake --build "$build_dir" --parallel "$jobs" ${CORAG_BUILD_TARGETS:+--target $CORAG_BUILD_TARGETS}
