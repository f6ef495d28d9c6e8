#!/usr/bin/env bash
# Sets corag up if needed (apt packages + build) and runs the main job on configs/demo-*.yaml:
# `corag demo`, the whole CoRAG pipeline on a synthetic world (synth -> pretraining -> corpus
# embeddings -> CRAB stores -> closed-book / local / centralized / collaborative training) and
# the paper's tables 1 and 3 for that world. Output: $CORAG_DEMO_OUT (default runs/demo); a
# rerun reuses the finished stages there. Extra arguments go to `corag demo` (--seed N, --quick).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CORAG_BUILD_DIR:-"$repo_root/build"}
export CORAG_BUILD_DIR=$build_dir
"$repo_root/scripts/setup.sh"

corag="$build_dir/bin/corag"
"$corag" --version
echo
"$corag" demo --out "${CORAG_DEMO_OUT:-"$repo_root/runs/demo"}" "$@"
