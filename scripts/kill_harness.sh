#!/usr/bin/env bash
# Kill -9 anywhere, lose nothing: runs `corag demo --quick` (which runs every long command:
# synth, pretrain, index build, crab-build-stores, and corag train in every regime as child
# processes) once uninterrupted, then KILLS more times, each killed with SIGKILL (with all its
# children) at a point spread evenly over the uninterrupted run's duration and run again to the
# end. After each kill it checks that no file under a final name is partial (every .json parses,
# every .jsonl line parses, every .safetensors opens) and after the rerun that the outputs equal
# the uninterrupted run's (timings aside) and no temporary is left.
#
#   scripts/kill_harness.sh KILLS [WORK_DIR]      (corag from CORAG_BUILD_DIR, default build)
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kills=${1:?usage: scripts/kill_harness.sh KILLS [WORK_DIR]}
work=${2:-$(mktemp -d)}
corag=${CORAG_BUILD_DIR:-"$repo_root/build"}/bin/corag
mkdir -p "$work"

demo() { "$corag" -q demo --quick --jobs 2 --out "$1" >"$1.log" 2>&1; }

check_tree() {  # check_tree DIR [REFERENCE]: partial files, leftovers, and equality with REFERENCE
  python3 - "$@" <<'PY'
import json, os, struct, sys
TIMING = {"wall_s", "seconds", "elapsed_s", "reused"}

def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value

def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".json"):
        return strip(json.loads(data))
    if path.endswith(".jsonl"):
        return [strip(json.loads(line)) for line in data.splitlines() if line.strip()]
    if path.endswith(".safetensors"):
        (size,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + size])
        ends = [v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"]
        assert 8 + size + max(ends + [0]) == len(data), "truncated tensors"
    return data

def tree(root):
    files = {}
    for folder, dirs, names in os.walk(root):
        rel = os.path.relpath(folder, root)
        if rel.split(os.sep)[0] == "logs":
            continue
        for name in names:
            if name == ".corag.lock" or name.endswith(".log"):
                continue
            files[os.path.normpath(os.path.join(rel, name))] = os.path.join(folder, name)
    return files

problems = []
files = tree(sys.argv[1])
for rel, path in files.items():
    name = os.path.basename(rel)
    if name.startswith(".") and ".tmp" in name:
        problems.append(f"temporary left: {rel}")
        continue
    try:
        load(path)
    except Exception as error:
        problems.append(f"partial or broken file under its final name: {rel} ({error})")
if len(sys.argv) > 2:
    reference = tree(sys.argv[2])
    for rel in sorted(set(files) ^ set(reference)):
        problems.append(f"only in {'the rerun' if rel in files else 'the reference'}: {rel}")
    for rel in sorted(set(files) & set(reference)):
        if load(files[rel]) != load(reference[rel]):
            problems.append(f"differs from the uninterrupted run: {rel}")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
PY
}

# Every run writes into the same folder, $work/run (configs, config hashes and the tokenizer's
# trainer record name it), and is then moved aside: the reference, and each killed run.
run="$work/run" reference="$work/reference"
rm -rf "$run" "$reference"
start=$(date +%s.%N)
demo "$run"
duration=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
check_tree "$run"
mv "$run" "$reference"
echo "uninterrupted: ${duration} s"

failures=0
for ((i = 1; i <= kills; i++)); do
  rm -rf "$run" "$work/kill-$i"
  delay=$(awk -v d="$duration" -v i="$i" -v n="$kills" 'BEGIN { printf "%.2f", d * i / (n + 1) }')
  setsid "$corag" -q demo --quick --jobs 2 --out "$run" >"$run.log" 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  state=ok
  # Temporaries may stay until the rerun removes them; partial files under final names may not.
  if ! check_tree "$run" >"$work/kill-$i.after-kill" && grep -qv '^temporary left' "$work/kill-$i.after-kill"; then
    state="partial files after the kill (see kill-$i.after-kill)"
  fi
  if ! demo "$run"; then
    state="rerun failed (see kill-$i.log)"
  elif ! check_tree "$run" "$reference" >"$work/kill-$i.diff"; then
    state="differs from the uninterrupted run (see kill-$i.diff)"
  fi
  cp "$run.log" "$work/kill-$i.log"
  mv "$run" "$work/kill-$i"
  [ "$state" = ok ] || failures=$((failures + 1))
  printf 'kill %d at %s s: %s\n' "$i" "$delay" "$state"
done
echo "kill harness: $kills kills, $failures failures"
[ "$failures" -eq 0 ]
