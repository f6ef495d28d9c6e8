#!/usr/bin/env bash
# Sets corag up if needed and runs the main job on the embedded default.
#
# `corag demo` (synthetic world -> pretraining -> CRAB stores -> local / centralized /
# collaborative training -> the paper's tables) is not built yet. Until it is, this runs the
# smallest end-to-end path the toolkit has: resolve and validate the paper's CRAB-64 experiment
# config for this machine, then validate and summarise the real NQ-open question files.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CORAG_BUILD_DIR:-"$repo_root/build"}
export CORAG_BUILD_DIR=$build_dir
"$repo_root/scripts/setup.sh"

corag="$build_dir/bin/corag"
run_dir=${CORAG_DEMO_OUT:-"$repo_root/runs/demo"}
nq_dir="$repo_root/../shared/data/nq_open"

"$corag" --version
echo
echo "== the paper's CRAB-64 config, resolved for this machine (written to $run_dir) =="
"$corag" config --config "$repo_root/configs/crab64.yaml" --set runtime.device=auto --out "$run_dir"
echo
if [ -d "$nq_dir" ]; then
  echo "== NaturalQuestions-open question files =="
  "$corag" data-check --qa "$nq_dir/NQ-open.dev.jsonl" --qa "$nq_dir/NQ-open.efficientqa.dev.1.1.jsonl" \
    --qa "$nq_dir/NQ-open.efficientqa.test.1.1.jsonl"
else
  echo "(no ../shared/data/nq_open beside the checkout: skipping the NQ-open check)"
fi
