#!/usr/bin/python3
"""Test helper: writes a checkpoint in Atlas's `model.pth.tar` layout from two HF directories.

Takes a T5 reader and a BERT retriever directory (model.safetensors, as `corag model init` writes
them) and saves what Atlas's save_atlas_model saves (facebookresearch/atlas src/model_io.py):
`{"step", "model", "optimizer", "retr_optimizer", "scheduler", "retr_scheduler", "opt"}` with
`model` = Atlas's state dict (src/atlas.py): `reader.<HF T5 name>` including the tied
`encoder.embed_tokens` / `decoder.embed_tokens` copies of `shared` that T5's state_dict has, and
`retriever.contriever.<name>` (--retriever tied), or `retriever.query_contriever.<name>` with
`retriever.passage_contriever.<name>` = the same tensors + 1 (--retriever untied). --ddp adds
the `.module` of a DistributedDataParallel save; --opt none leaves `opt` out, --opt hostile
stores an object whose unpickling would run `touch MARKER`.
"""
import argparse
import json
import os
import struct

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def read_safetensors(path):
    with open(path, "rb") as f:
        size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(size))
        data = f.read()
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        tensors[name] = torch.frombuffer(bytearray(data[begin:end]), dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"])
    return tensors


class Hostile:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--reader", required=True)
    parser.add_argument("--retriever", required=True)
    parser.add_argument("--retriever-mode", choices=["tied", "untied"], required=True)
    parser.add_argument("--ddp", action="store_true")
    parser.add_argument("--opt", choices=["namespace", "none", "hostile"], default="namespace")
    parser.add_argument("--marker", default="")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    module = ".module" if args.ddp else ""
    state = {}
    reader = read_safetensors(os.path.join(args.reader, "model.safetensors"))
    for name in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight"):
        reader[name] = reader["shared.weight"]
    for name, tensor in reader.items():
        state[f"reader{module}.{name}"] = tensor
    for name, tensor in read_safetensors(os.path.join(args.retriever, "model.safetensors")).items():
        if args.retriever_mode == "tied":
            state[f"retriever{module}.contriever.{name}"] = tensor
        else:
            state[f"retriever{module}.query_contriever.{name}"] = tensor
            state[f"retriever{module}.passage_contriever.{name}"] = tensor + 1
    checkpoint = {"step": 3, "model": state, "optimizer": None, "retr_optimizer": None,
                  "scheduler": {"last_epoch": 3}, "retr_scheduler": None}
    if args.opt == "namespace":
        checkpoint["opt"] = argparse.Namespace(reader_model_type="google/t5-base-lm-adapt", n_context=40,
                                               query_side_retriever_training=args.retriever_mode == "untied")
    elif args.opt == "hostile":
        checkpoint["opt"] = Hostile(args.marker)
    torch.save(checkpoint, args.out)


if __name__ == "__main__":
    main()
