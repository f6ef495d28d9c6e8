#!/usr/bin/env python3
"""corag's files read from Python with Debian's python3-faiss and python3-torch alone (no
transformers or safetensors packages), checked against what corag itself computes.

  python_interop.py --corag build/bin/corag --store STORE --retriever DIR --queries QA.jsonl \\
                    --run RUN_DIR --work DIR

- FAISS: `faiss.read_index` opens STORE/index.faiss; searching it with the query embeddings of
  `corag embed` gives, through STORE/docid, the passages and scores of `corag retrieve --format
  trec` (Pyserini's layout of a FAISS index).
- Models: RUN/best/reader and retriever (train.keep_best) load as torch tensors whose shapes
  follow their config.json, the way HF's from_pretrained reads them.
- Optimizer: a checkpoint's state/optimizer.safetensors pairs every AdamW moment with the HF
  parameter its metadata names, of the same shape (local and centralized runs keep one).
Prints one line per check; exits 1 on the first failure.
"""
import argparse
import glob
import json
import os
import struct
import subprocess
import sys

import faiss
import numpy as np
import torch

DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32, "F64": np.float64}


def read_safetensors(path):
    """(tensors by name as torch tensors, metadata) of a safetensors file, by its spec."""
    with open(path, "rb") as f:
        data = f.read()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    metadata = header.pop("__metadata__", {})
    tensors = {}
    for name, entry in header.items():
        start, end = entry["data_offsets"]
        array = np.frombuffer(data, dtype=DTYPES[entry["dtype"]], count=(end - start) // np.dtype(DTYPES[entry["dtype"]]).itemsize,
                              offset=8 + size + start)
        tensors[name] = torch.from_numpy(array.copy()).reshape(entry["shape"])
    return tensors, metadata


def check(condition, message):
    if not condition:
        print("FAIL", message)
        sys.exit(1)
    print("ok  ", message)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for option in ("--corag", "--store", "--retriever", "--queries", "--run", "--work"):
        parser.add_argument(option, required=True)
    parser.add_argument("--top-k", type=int, default=5)
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    run_file, embeddings_file = os.path.join(args.work, "run.trec"), os.path.join(args.work, "queries.safetensors")
    common = ["--retriever", args.retriever, "--threads", "1"]
    subprocess.run([args.corag, "-q", "retrieve", "--store", args.store, "--queries", args.queries, "--query", "question",
                    "--top-k", str(args.top_k), "--format", "trec", "--out", run_file] + common, check=True)
    subprocess.run([args.corag, "-q", "embed", "--input", args.queries, "--kind", "query", "--out", embeddings_file]
                   + common, check=True)

    index = faiss.read_index(os.path.join(args.store, "index.faiss"))
    with open(os.path.join(args.store, "docid")) as f:
        docids = f.read().splitlines()
    check(index.ntotal == len(docids), f"faiss.read_index: {index.ntotal} rows, docid lists {len(docids)}")
    queries = read_safetensors(embeddings_file)[0]["embeddings"].numpy().astype(np.float32)
    scores, rows = index.search(np.ascontiguousarray(queries), args.top_k)
    corag_hits = {}
    with open(run_file) as f:
        for line in f:
            qid, _, docid, rank, score, _ = line.split()
            corag_hits.setdefault(qid, []).append((docid, float(score)))
    with open(args.queries) as f:
        qids = [str(json.loads(line).get("id", number)) for number, line in enumerate(f, 1) if line.strip()]
    same = sum(
        [docids[row] for row in rows[i]] == [hit[0] for hit in corag_hits[qid]] and
        np.allclose(scores[i], [hit[1] for hit in corag_hits[qid]], rtol=1e-4, atol=1e-4)
        for i, qid in enumerate(qids))
    check(same == len(qids), f"FAISS search in Python = corag retrieve for {same} of {len(qids)} questions (top {args.top_k})")

    for model in ("reader", "retriever"):
        folder = os.path.join(args.run, "best", model)
        with open(os.path.join(folder, "config.json")) as f:
            config = json.load(f)
        tensors = read_safetensors(os.path.join(folder, "model.safetensors"))[0]
        if model == "reader":
            shape = tuple(tensors["shared.weight"].shape)
            check(shape == (config["vocab_size"], config["d_model"]),
                  f"best/reader: {len(tensors)} tensors, shared.weight {shape} as config.json says")
        else:
            embedding = next(t for n, t in tensors.items() if n.endswith("word_embeddings.weight"))
            check(tuple(embedding.shape) == (config["vocab_size"], config["hidden_size"]),
                  f"best/retriever: {len(tensors)} tensors, word embeddings {tuple(embedding.shape)} as config.json says")

    optimizers = sorted(glob.glob(os.path.join(args.run, "checkpoints", "*", "state", "optimizer.safetensors")))
    if optimizers:
        moments, metadata = read_safetensors(optimizers[-1])
        checkpoint = os.path.dirname(os.path.dirname(optimizers[-1]))
        weights = {"reader": read_safetensors(os.path.join(checkpoint, "reader", "model.safetensors"))[0],
                   "query_encoder": read_safetensors(os.path.join(checkpoint, "retriever", "model.safetensors"))[0]}
        paired = 0
        for name, tensor in moments.items():
            position, field = name.rsplit(".", 1)
            if field == "step":
                continue
            model, parameter = metadata[position].split(".", 1)
            stored = weights[model]
            # Tied T5 embeddings are stored once, as shared.weight.
            key = parameter if parameter in stored else "shared.weight"
            check_shape = tuple(stored[key].shape) == tuple(tensor.shape)
            if not check_shape:
                check(False, f"{name} ({metadata[position]}) has shape {tuple(tensor.shape)}, the weight {tuple(stored[key].shape)}")
            paired += 1
        check(paired > 0, f"optimizer.safetensors: {paired} AdamW moments, each named and shaped like its parameter")


if __name__ == "__main__":
    main()
