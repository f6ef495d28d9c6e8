#!/usr/bin/env bash
# Every stage of the CoRAG pipeline with the real tools, at toy size, on a 2-core CPU:
#   corag synth -> corag pretrain -> corag index build -> crab-build-stores
#     -> corag train (collaborative and local RAG on the REL store, and closed-book) -> tables
# This is the groundwork of `corag demo` (not built yet). Its models are far too small and
# briefly trained to answer: measured on 2026-11-21, every EM was 0 and the run took 13.5 min
# with other jobs on the machine. It shows the path a user takes and every output written, not
# the paper's findings. Rerunning reuses the finished stages (CORAG_DEMO_OUT, default
# runs/toy-pipeline). Sets corag up first, like scripts/demo.sh.
set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${CORAG_BUILD_DIR:-"$repo_root/build"}
export CORAG_BUILD_DIR=$build_dir
"$repo_root/scripts/setup.sh"

corag="$build_dir/bin/corag"
crab_build_stores="$build_dir/bin/crab-build-stores"
configs="$repo_root/configs"
out=${CORAG_DEMO_OUT:-"$repo_root/runs/toy-pipeline"}
mkdir -p "$out"
started=$SECONDS
stage() { echo; echo "== [$((SECONDS - started))s] $* =="; }

"$corag" --version
stage "synthetic world -> $out/world"
if [ ! -f "$out/world/world.json" ]; then
  "$corag" synth --config "$configs/synth.yaml" --out "$out/world" --set world.people=300 --set world.places=40 \
    --set world.organisations=40 --set world.works=60 --set world.festivals=8 --set world.noise_passages=300 \
    --set world.questions=600
fi
stage "pretraining tokenizers, retriever and reader from scratch -> $out/models"
"$corag" pretrain --config "$configs/demo-pretrain.yaml" --out "$out/models" --set "data.corpus=$out/world/passages.jsonl" \
  --set retriever.steps=200 --set retriever.lr=1e-3 --set reader.steps=200 --set reader.text_maxlength=64 \
  --set runtime.threads=1 >/dev/null
stage "embedding the corpus -> $out/embeddings"
"$corag" index build --retriever "$out/models/retriever" --passages "$out/world/passages.jsonl" --out "$out/embeddings" \
  --threads 1
stage "CRAB stores (4 clients, 16 shots) -> $out/crab"
if [ ! -f "$out/crab/manifest.json" ]; then
  "$crab_build_stores" --config "$configs/demo-crab.yaml" --out "$out/crab" --variants REL \
    --set "data.train_pool=[$out/world/qa.train_pool.jsonl]" --set "data.test_pool=$out/world/qa.test_pool.jsonl" \
    --set "data.corpus=$out/world/passages.jsonl" --set "stores.embeddings=$out/embeddings" >/dev/null
fi
paths=(--set "model.reader=$out/models/reader" --set "model.retriever=$out/models/retriever"
       --set "data.crab_dir=$out/crab" --set "store.embeddings=$out/embeddings")
train() {
  local name=$1; shift
  stage "corag train: $name -> $out/runs/$name"
  local resume=()
  [ -f "$out/runs/$name/config.resolved.yaml" ] && resume=(--resume)
  if [ ! -f "$out/runs/$name/summary.json" ]; then
    "$corag" train --config "$configs/demo-train.yaml" --out "$out/runs/$name" "${paths[@]}" "${resume[@]}" "$@" -q >/dev/null
  fi
  cat "$out/runs/$name/table.md"
}
train collaborative
train local --set train.mode=local
train closed-book --set model.retrieval=false
stage "done: run directories, metrics.jsonl, predictions and checkpoints under $out/runs"
