#!/usr/bin/env bash
# Kill -9 anywhere, lose nothing. Kills corag's long commands with SIGKILL and checks that a
# rerun (or `corag train --resume`) ends with exactly the uninterrupted run's outputs.
#
#   scripts/kill_harness.sh [--timed N] [--stride S] [--only NAME,...] [WORK_DIR]
#
# Commands (NAME): pretrain, index (index build, HNSW, small chunks), bm25 (bm25 build), crab
# (crab-build-stores), train-closed-book, train-local, train-centralized, train-collaborative,
# demo (`corag demo --quick`, which runs all of the above, training as child processes). Their
# inputs come from one `corag demo --quick` run in WORK_DIR/inputs.
#
# Rename kills: each command runs once uninterrupted under strace, which counts its renames (the
# moments a file or folder takes its final name); then, for every S-th rename k and the last, it
# is killed once just before rename k (strace delivers SIGKILL on entering it) and once just
# after (strace holds the process at the exit of rename k and the harness kills it there). Timed kills: the
# demo is killed N times at points spread evenly over its uninterrupted duration.
#
# After each kill: no partial file under a final name, and every file the killed tree shares with
# the uninterrupted run agrees with it (check_tree.py --killed). After the rerun: the tree equals
# the uninterrupted run's (timings aside) and no temporary file is left.
# Defaults: --timed 12, --stride 1, every command. Needs strace and python3; corag from
# CORAG_BUILD_DIR (default build).
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
timed=12 stride=1 only=""
while [ $# -gt 0 ]; do
  case $1 in
    --timed) timed=$2; shift 2 ;;
    --stride) stride=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    -*) echo "usage: scripts/kill_harness.sh [--timed N] [--stride S] [--only NAME,...] [WORK_DIR]" >&2; exit 2 ;;
    *) break ;;
  esac
done
work=${1:-$(mktemp -d)}
bin=${CORAG_BUILD_DIR:-"$repo_root/build"}/bin
check_tree=("python3" "$repo_root/scripts/check_tree.py")
commands=(pretrain index bm25 crab train-closed-book train-local train-centralized train-collaborative demo)
[ -n "$only" ] && IFS=, read -r -a commands <<<"$only"
mkdir -p "$work"
work=$(cd "$work" && pwd)
inputs="$work/inputs" out="$work/out"
renames=rename,renameat,renameat2

# command_line NAME: sets `argv` to the command that writes $out (a rerun of train resumes).
command_line() {
  case $1 in
    pretrain) argv=("$bin/corag" -q pretrain --config "$inputs/configs/pretrain.yaml" --out "$out") ;;
    index) argv=("$bin/corag" -q index build --retriever "$inputs/models/retriever" --index HNSW8 \
      --passages "$inputs/world/passages.jsonl" --chunk-rows 64 --threads 1 --out "$out") ;;
    bm25) argv=("$bin/corag" -q bm25 build --passages "$inputs/world/passages.jsonl" --threads 1 --out "$out") ;;
    crab) argv=("$bin/crab-build-stores" -q --config "$inputs/configs/crab.yaml" --out "$out") ;;
    train-*)
      argv=("$bin/corag" -q train --config "$inputs/configs/runs/REL-8shot-${1#train-}.yaml" --out "$out")
      if [ -e "$out/config.resolved.yaml" ]; then argv+=(--resume); fi ;;
    demo) argv=("$bin/corag" -q demo --quick --jobs 2 --out "$out") ;;
    *) echo "kill harness: unknown command $1" >&2; exit 2 ;;
  esac
}

failures=0 kills_done=0
# finish NAME LABEL: checks the killed tree, reruns NAME to the end, checks the result.
finish() {
  local name=$1 label=$2 state=ok
  local report="$work/$name-$label"
  if ! "${check_tree[@]}" --killed "$out" "$work/reference-$name" >"$report.after-kill"; then
    state="bad state after the kill (see $report.after-kill)"
  fi
  command_line "$name"
  if ! "${argv[@]}" >"$report.log" 2>&1; then
    state="rerun failed (see $report.log)"
  elif ! "${check_tree[@]}" "$out" "$work/reference-$name" >"$report.diff"; then
    state="differs from the uninterrupted run (see $report.diff)"
  fi
  rm -rf "$out"
  kills_done=$((kills_done + 1))
  if [ "$state" = ok ]; then
    rm -f "$report.after-kill" "$report.log" "$report.diff"
  else
    failures=$((failures + 1))
  fi
  printf '%s %s: %s\n' "$name" "$label" "$state"
}

# start_group LOG COMMAND...: starts COMMAND in a session of its own, not as a job of this shell
# (whose kill bash would report), and prints its process id, which is also its group's.
start_group() {
  local log=$1
  shift
  rm -f "$work/pid"
  setsid -f bash -c 'echo $$ >"$0"; exec "$@"' "$work/pid" "$@" >"$log" 2>&1
  until [ -s "$work/pid" ]; do sleep 0.01; done
  cat "$work/pid"
}

# kill_group PID: kills the group (the command, its children, strace) and waits until it is gone.
kill_group() {
  kill -9 -- "-$1" 2>/dev/null || true
  while kill -0 "$1" 2>/dev/null; do sleep 0.02; done
}

# kill_at_rename NAME K before|after: runs NAME under strace and kills it at its K-th rename.
kill_at_rename() {
  local name=$1 k=$2 side=$3 trace="$work/trace" action pid
  [ "$side" = before ] && action=signal=KILL || action=delay_exit=600s
  rm -f "$trace"
  command_line "$name"
  pid=$(start_group "$work/$name.out" strace -qq -o "$trace" -e trace=$renames \
    -e inject=$renames:$action:when="$k" "${argv[@]}")
  if [ "$side" = after ]; then
    while kill -0 "$pid" 2>/dev/null && ! grep -q 'DELAYED' "$trace" 2>/dev/null; do sleep 0.02; done
  else
    while kill -0 "$pid" 2>/dev/null && ! grep -q 'killed by SIGKILL' "$trace" 2>/dev/null; do sleep 0.02; done
  fi
  kill_group "$pid"
  if ! grep -q 'DELAYED\|killed by SIGKILL' "$trace"; then
    printf '%s rename %d %s: not reached (the command made fewer renames than before)\n' "$name" "$k" "$side"
    failures=$((failures + 1))
    rm -rf "$out"
    return
  fi
  finish "$name" "rename-$k-$side"
}

rm -rf "$inputs" "$out"
"$bin/corag" -q demo --quick --jobs 2 --out "$inputs" >"$inputs.log" 2>&1

for name in "${commands[@]}"; do
  rm -rf "$out" "$work/reference-$name"
  command_line "$name"
  start=$(date +%s.%N)
  strace -qq -o "$work/trace" -e trace=$renames "${argv[@]}" >"$work/$name.out" 2>&1
  duration=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
  count=$(grep -c '^rename' "$work/trace" || true)
  "${check_tree[@]}" "$out"
  mv "$out" "$work/reference-$name"
  echo "$name: uninterrupted in $duration s, $count renames"
  # Every S-th rename, and always the last (where a finished run's leftovers would show).
  for ((k = 1; k <= count; k++)); do
    if (((k - 1) % stride == 0 || k == count)); then
      kill_at_rename "$name" "$k" before
      kill_at_rename "$name" "$k" after
    fi
  done
  if [ "$name" = demo ]; then
    for ((i = 1; i <= timed; i++)); do
      delay=$(awk -v d="$duration" -v i="$i" -v n="$timed" 'BEGIN { printf "%.2f", d * i / (n + 1) }')
      command_line demo
      pid=$(start_group "$work/demo.out" "${argv[@]}")
      sleep "$delay"
      kill_group "$pid"
      finish demo "timed-$i-at-${delay}s"
    done
  fi
done
echo "kill harness: $kills_done kills, $failures failures"
[ "$failures" -eq 0 ]
