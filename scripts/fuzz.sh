#!/usr/bin/env bash
# Builds corag's libFuzzer targets (tests/fuzz) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, and runs each for SECONDS over its seed corpus (tests/fuzz/corpus/
# TARGET) plus what earlier runs found (BUILD/corpus/TARGET). Prints executions and crashes per
# target; exits non-zero if any target crashed (the input is kept in BUILD/crashes/TARGET).
#
#   scripts/fuzz.sh SECONDS [TARGET...]      (default: every tests/fuzz/fuzz_*.cpp)
#
# Environment: CORAG_FUZZ_BUILD_DIR (default build-fuzz), CORAG_FUZZ_RUNS (stop a target after this
# many executions, before SECONDS: the long runs' 10 million), CORAG_SKIP_APT=1 as for setup.sh.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${1:?usage: scripts/fuzz.sh SECONDS [TARGET...]}
shift
build_dir=${CORAG_FUZZ_BUILD_DIR:-"$repo_root/build-fuzz"}

targets=("$@")
if [ "${#targets[@]}" -eq 0 ]; then
  for source in "$repo_root"/tests/fuzz/fuzz_*.cpp; do targets+=("$(basename "$source" .cpp)"); done
fi

CC=clang CXX=clang++ CORAG_BUILD_DIR="$build_dir" CORAG_BUILD_TYPE=RelWithDebInfo \
  CORAG_CMAKE_ARGS="-DCORAG_FUZZ=ON -DCORAG_SANITIZE=address,undefined -DCORAG_BUILD_TESTS=OFF" \
  CORAG_BUILD_TARGETS="${targets[*]}" "$repo_root/scripts/setup.sh"

# Leaks in the process that fuzzes are not findings of one input (LibTorch keeps its
# allocations); every other sanitizer report aborts the run.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:malloc_context_size=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

failed=0
printf '| target | seconds | executions | exec/s | crashes |\n| --- | ---: | ---: | ---: | ---: |\n'
for target in "${targets[@]}"; do
  corpus="$build_dir/corpus/$target" crashes="$build_dir/crashes/$target" log="$build_dir/logs/$target.log"
  rm -rf "$crashes"  # what this run finds
  mkdir -p "$corpus" "$crashes" "$(dirname "$log")"
  status=0 started=$SECONDS
  "$build_dir/bin/$target" "$corpus" "$repo_root/tests/fuzz/corpus/$target" -max_total_time="$seconds" \
    ${CORAG_FUZZ_RUNS:+-runs="$CORAG_FUZZ_RUNS"} -max_len=65536 -timeout=30 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$crashes/" >"$log" 2>&1 || status=$?
  elapsed=$((SECONDS - started > 0 ? SECONDS - started : 1))
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  found=$(find "$crashes" -type f | wc -l)
  if [ "$status" -ne 0 ] || [ "$found" -ne 0 ]; then
    failed=1
    echo "fuzz: $target failed (exit $status); see $log and $crashes" >&2
    tail -30 "$log" >&2
  fi
  printf '| %s | %s | %s | %s | %s |\n' "$target" "$elapsed" "${runs:-0}" "$(( ${runs:-0} / elapsed ))" "$found"
done
exit "$failed"
