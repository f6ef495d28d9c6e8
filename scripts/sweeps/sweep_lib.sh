# The common part of scripts/sweeps/*.sh: options, the cells of an experiment (`corag
# sweep-plan`), running them `--jobs` at a time, and the report. Sourced, not run.
#
# A sweep's tree, shared by the experiments (a cell's name says all its settings, so two
# experiments that need the same cell, such as REL-64shot-local, train it once):
#   OUT/runs/CELL/seed-S/    one `corag train` run directory per cell and seed
#   OUT/logs/CELL-seed-S.log its log
#   OUT/crab-ablations/      the ablation stores store_composition builds
#   OUT/crab-dev/            the CRAB build with a dev split that dev builds (sweep.dev_size)
#   OUT/report/tableN/       tables (report.md, .json, .csv, .tex) of the experiment's cells
#   OUT/report/figures/      figures (png, svg)
set -euo pipefail

SWEEP_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

sweep_usage() {
  cat <<EOF
usage: $(basename "$0") [options]   ($SWEEP_TITLE)

  --scale demo|paper  demo: the synthetic world and models of \`corag demo\` (built with
                      \`corag demo --inputs-only\` when --demo holds none yet); paper: the
                      sweep config --config, which names real data and models (default demo)
  --demo DIR          the demo's folder (default runs/demo, or runs/demo-quick with --quick)
  --quick             demo scale on the toy world of \`corag demo --quick\` (the test suite's sweep)
  --config FILE       paper scale: the sweep config (default configs/sweeps/paper.yaml)
  --seeds N           seeds 0 .. N-1 of every cell (default 3)
  --jobs N            runs at once (default 1); each gets cores / N threads
  --devices LIST      GPUs, e.g. 0,1,2,3: one run per device at a time (sets --jobs)
  --out DIR           the sweep's folder, shared by all experiments (default runs/sweeps/SCALE,
                      runs/sweeps/demo-quick with --quick)
  --corag PATH        the corag executable (default: build/bin/corag, else corag on PATH)

A cell with summary.json is skipped, one with config.resolved.yaml is resumed (--resume), so a
killed or failed sweep continues where it stopped when run again with the same options.
EOF
}

sweep_parse_options() {
  SCALE=demo DEMO_DIR="" QUICK=0 SWEEP_CONFIG="$SWEEP_ROOT/configs/sweeps/paper.yaml" SEEDS=3 JOBS=1 DEVICES=""
  OUT="" CORAG=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --scale) SCALE=$2; shift 2 ;;
      --demo) DEMO_DIR=$2; shift 2 ;;
      --quick) QUICK=1; shift ;;
      --config) SWEEP_CONFIG=$2; shift 2 ;;
      --seeds) SEEDS=$2; shift 2 ;;
      --jobs) JOBS=$2; shift 2 ;;
      --devices) DEVICES=$2; shift 2 ;;
      --out) OUT=$2; shift 2 ;;
      --corag) CORAG=$2; shift 2 ;;
      -h | --help) sweep_usage; exit 0 ;;
      *) echo "$(basename "$0"): unknown option $1 (see --help)" >&2; exit 2 ;;
    esac
  done
  case "$SCALE" in demo | paper) ;; *) echo "--scale: demo or paper, got '$SCALE'" >&2; exit 2 ;; esac
  [[ "$SEEDS" =~ ^[1-9][0-9]*$ ]] || { echo "--seeds: a positive count, got '$SEEDS'" >&2; exit 2; }
  [[ "$JOBS" =~ ^[1-9][0-9]*$ ]] || { echo "--jobs: a positive count, got '$JOBS'" >&2; exit 2; }
  if [ -n "$DEVICES" ]; then
    [[ "$DEVICES" =~ ^[0-9]+(,[0-9]+)*$ ]] || { echo "--devices: GPU numbers like 0,1, got '$DEVICES'" >&2; exit 2; }
    IFS=, read -r -a DEVICE_LIST <<<"$DEVICES"
    JOBS=${#DEVICE_LIST[@]}
  fi
  if [ -z "$CORAG" ]; then
    if [ -x "$SWEEP_ROOT/build/bin/corag" ]; then CORAG="$SWEEP_ROOT/build/bin/corag"; else CORAG=$(command -v corag || true); fi
  fi
  [ -n "$CORAG" ] && [ -x "$CORAG" ] || { echo "no corag executable: build it (scripts/test.sh) or pass --corag" >&2; exit 2; }
  local suffix=""
  [ "$QUICK" = 1 ] && suffix="-quick"
  [ -n "$DEMO_DIR" ] || DEMO_DIR="runs/demo$suffix"
  [ -n "$OUT" ] || OUT="runs/sweeps/$SCALE$suffix"
  mkdir -p "$OUT/runs" "$OUT/logs"
  OUT=$(cd "$OUT" && pwd)
}

sweep_log() { echo "[$(date '+%Y-%m-%d %H:%M:%S')] $EXPERIMENT: $*" >&2; }

# The sweep config: the demo's (preparing the demo's inputs first) or --config.
sweep_config_file() {
  if [ "$SCALE" = paper ]; then
    echo "$SWEEP_CONFIG"
    return
  fi
  if [ ! -f "$DEMO_DIR/configs/sweep.yaml" ] || [ ! -f "$DEMO_DIR/crab/manifest.json" ]; then
    local quick=()
    [ "$QUICK" = 1 ] && quick=(--quick)
    sweep_log "preparing the demo's inputs in $DEMO_DIR"
    "$CORAG" demo --inputs-only "${quick[@]}" --out "$DEMO_DIR" >&2
  fi
  echo "$(cd "$DEMO_DIR" && pwd)/configs/sweep.yaml"
}

# Runs one cell at one seed into OUT/runs/CELL/seed-S (skipped when finished, resumed when
# started); on failure names the cell in OUT/logs/failed-SLOT.
sweep_run_cell() {
  local slot=$1 name=$2 seed=$3
  shift 3
  local dir="$OUT/runs/$name/seed-$seed" log="$OUT/logs/$name-seed-$seed.log"
  local args=(train --config "$BASE_CONFIG" --out "$dir" --set "runtime.seed=$seed" --set "runtime.threads=$THREADS")
  local override
  for override in "$@"; do args+=(--set "$override"); done
  [ -f "$dir/config.resolved.yaml" ] && args+=(--resume)
  local device=()
  if [ -n "$DEVICES" ]; then
    args+=(--set runtime.device=cuda)
    device=(env "CUDA_VISIBLE_DEVICES=${DEVICE_LIST[$slot]}")
  fi
  mkdir -p "$(dirname "$dir")"
  if "${device[@]}" "$CORAG" "${args[@]}" >"$log" 2>&1; then
    sweep_log "done $name seed $seed"
  else
    sweep_log "FAILED $name seed $seed (exit $?; log $log)"
    echo "$name seed $seed: $log" >>"$OUT/logs/failed-$slot"
  fi
}

# Plans EXPERIMENT's cells, builds the stores it needs, and runs every unfinished cell x seed,
# JOBS at a time (task i on slot i mod JOBS, so each slot keeps its device). Fails naming the
# failed cells after all others ran.
sweep_run() {
  local config
  config=$(sweep_config_file)
  local plan
  plan=$("$CORAG" sweep-plan --config "$config" --experiment "$EXPERIMENT" --out "$OUT")
  BASE_CONFIG="" CELLS=()
  local line fields
  while IFS= read -r line; do
    IFS=$'\t' read -r -a fields <<<"$line"
    case "${fields[0]}" in
      config) BASE_CONFIG=${fields[1]} ;;
      stores)
        local stores_log="$OUT/logs/$(basename "${fields[1]}").log"
        if [ ! -f "${fields[1]}/manifest.json" ]; then
          sweep_log "building stores: crab-build-stores ${fields[*]:2}"
          "$(dirname "$CORAG")/crab-build-stores" "${fields[@]:2}" >"$stores_log" 2>&1 ||
            { sweep_log "crab-build-stores failed; log $stores_log"; exit 1; }
        fi ;;
      cell) CELLS+=("$line") ;;
    esac
  done <<<"$plan"
  local cores
  cores=$(nproc)
  THREADS=$((cores / JOBS > 0 ? cores / JOBS : 1))
  rm -f "$OUT"/logs/failed-*
  local -a queue_tasks=()
  local task=0 pending=0 seed cell
  for cell in "${CELLS[@]}"; do
    IFS=$'\t' read -r -a fields <<<"$cell"
    for ((seed = 0; seed < SEEDS; seed++)); do
      [ -f "$OUT/runs/${fields[1]}/seed-$seed/summary.json" ] && continue
      queue_tasks+=("$((task % JOBS))"$'\t'"$seed"$'\t'"$cell")
      task=$((task + 1))
      pending=$((pending + 1))
    done
  done
  sweep_log "${#CELLS[@]} cells x $SEEDS seeds: $pending runs to do, $JOBS at a time, into $OUT"
  local slot
  for ((slot = 0; slot < JOBS; slot++)); do
    (
      local entry parts
      for entry in "${queue_tasks[@]}"; do
        IFS=$'\t' read -r -a parts <<<"$entry"
        [ "${parts[0]}" = "$slot" ] || continue
        sweep_run_cell "$slot" "${parts[3]}" "${parts[1]}" "${parts[@]:4}"
      done
    ) &
  done
  wait
  if compgen -G "$OUT/logs/failed-*" >/dev/null; then
    sweep_log "failed runs:"
    cat "$OUT"/logs/failed-* >&2
    exit 1
  fi
}

# corag report's TABLE of the experiment's cells into OUT/report/NAME/report.{md,json,csv,tex}.
sweep_report() {
  local table=$1 name=$2 format cell fields dirs=()
  for cell in "${CELLS[@]}"; do
    IFS=$'\t' read -r -a fields <<<"$cell"
    dirs+=("$OUT/runs/${fields[1]}")
  done
  for format in md json csv latex; do
    "$CORAG" -q report "${dirs[@]}" --table "$table" --format "$format" --out "$OUT/report/$name"
  done
  sweep_log "table $table: $OUT/report/$name/report.md"
}

# A figure of scripts/plot_report.py into OUT/report/figures/NAME.{png,svg}.
sweep_figure() {
  local kind=$1 source=$2 name=$3
  mkdir -p "$OUT/report/figures"
  "$SWEEP_ROOT/scripts/plot_report.py" "$kind" "$source" "$OUT/report/figures/$name"
  sweep_log "figure: $OUT/report/figures/$name.png"
}

# The learning curve and the retrieval diagnostics of CELL's seed-0 run.
sweep_run_figures() {
  local cell=$1
  sweep_figure curves "$OUT/runs/$cell/seed-0" "curves-$cell"
  sweep_figure retrieval "$OUT/runs/$cell/seed-0" "retrieval-$cell"
}

# The last planned cell whose whole name matches the extended regular expression PATTERN
# (cells come in ascending shots).
sweep_cell_matching() {
  local pattern=$1 cell fields found=""
  for cell in "${CELLS[@]}"; do
    IFS=$'\t' read -r -a fields <<<"$cell"
    [[ "${fields[1]}" =~ ^($pattern)$ ]] && found=${fields[1]}
  done
  [ -n "$found" ] || { sweep_log "no cell matches $pattern"; exit 1; }
  echo "$found"
}
