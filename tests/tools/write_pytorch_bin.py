#!/usr/bin/python3
"""Test helper: turns an HF directory with model.safetensors (as `corag model init` writes it)
into one with only `pytorch_model.bin`, as older `save_pretrained` calls left them: the state
dict saved with torch.save, T5's tied embed_tokens copies sharing `shared.weight`'s storage, the
config and tokenizer files copied. --hostile MARKER saves, beside the tensors, an object whose
unpickling would run `touch MARKER`.
"""
import argparse
import os
import shutil

import torch

from write_atlas_checkpoint import Hostile, read_safetensors


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--hostile", default="")
    args = parser.parse_args()
    os.makedirs(args.out)
    state = read_safetensors(os.path.join(args.model, "model.safetensors"))
    if "shared.weight" in state:
        for name in ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight"):
            state[name] = state["shared.weight"]
    if args.hostile:
        state["hostile"] = Hostile(args.hostile)
    torch.save(state, os.path.join(args.out, "pytorch_model.bin"))
    for name in os.listdir(args.model):
        if name != "model.safetensors":
            shutil.copy(os.path.join(args.model, name), args.out)


if __name__ == "__main__":
    main()
