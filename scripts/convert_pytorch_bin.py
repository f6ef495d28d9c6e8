#!/usr/bin/python3
"""Convert a Hugging Face `pytorch_model.bin` (or its shards) to `model.safetensors`.

corag reads weights only from safetensors. For a model directory that has only
`pytorch_model.bin` (older uploads of facebook/contriever or t5-base, say), this writes
`model.safetensors` beside it with the same tensor names, or shards plus
`model.safetensors.index.json` above --max-shard-gb. Needs only Debian's python3-torch
(`apt-get install python3-torch`); no safetensors or transformers package:

    /usr/bin/python3 scripts/convert_pytorch_bin.py MODEL_DIR

Tied tensors (T5's encoder/decoder embed_tokens, lm_head) are written once, as `transformers`
does; corag accepts either form. Files are read with `weights_only=True`: unpickling a
downloaded file must not run its code.
"""
import argparse
import json
import os
import struct
import sys
import tempfile

import torch

DTYPES = {torch.float64: "F64", torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
          torch.int64: "I64", torch.int32: "I32", torch.int16: "I16", torch.int8: "I8", torch.uint8: "U8",
          torch.bool: "BOOL"}
# T5's tied copies of `shared.weight`, which `transformers` drops on save.
TIED_COPIES = ("encoder.embed_tokens.weight", "decoder.embed_tokens.weight")


def load_state_dict(model_dir):
    single = os.path.join(model_dir, "pytorch_model.bin")
    if os.path.exists(single):
        return torch.load(single, map_location="cpu", weights_only=True)
    index = os.path.join(model_dir, "pytorch_model.bin.index.json")
    if not os.path.exists(index):
        sys.exit(f"error: {model_dir}: neither pytorch_model.bin nor pytorch_model.bin.index.json")
    with open(index, encoding="utf-8") as f:
        shards = sorted(set(json.load(f)["weight_map"].values()))
    state = {}
    for shard in shards:
        state.update(torch.load(os.path.join(model_dir, shard), map_location="cpu", weights_only=True))
    return state


def drop_tied_copies(state):
    shared = state.get("shared.weight")
    for name in TIED_COPIES + ("lm_head.weight",):
        tensor = state.get(name)
        if shared is not None and tensor is not None and tensor.data_ptr() == shared.data_ptr():
            del state[name]
    return state


def write_safetensors(path, tensors):
    """The safetensors layout: u64 header size, JSON header padded to 8 bytes, raw data."""
    ordered = sorted(tensors.items(), key=lambda item: (-item[1].element_size(), item[0]))
    header, offset = {"__metadata__": {"format": "pt"}}, 0
    for name, tensor in ordered:
        if tensor.dtype not in DTYPES:
            sys.exit(f"error: tensor {name} has unsupported dtype {tensor.dtype}")
        size = tensor.numel() * tensor.element_size()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + size]}
        offset += size
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    directory = os.path.dirname(os.path.abspath(path))
    with tempfile.NamedTemporaryFile(dir=directory, delete=False) as out:
        out.write(struct.pack("<Q", len(encoded)))
        out.write(encoded)
        for _, tensor in ordered:
            out.write(tensor.contiguous().view(torch.uint8).numpy().tobytes() if tensor.numel() else b"")
        out.flush()
        os.fsync(out.fileno())
    os.replace(out.name, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir")
    parser.add_argument("--max-shard-gb", type=float, default=5.0)
    args = parser.parse_args()
    state = drop_tied_copies({name: tensor.detach() for name, tensor in load_state_dict(args.model_dir).items()})
    limit = int(args.max_shard_gb * 1e9)
    shards, current, size = [], {}, 0
    for name in sorted(state):
        tensor_bytes = state[name].numel() * state[name].element_size()
        if current and size + tensor_bytes > limit:
            shards.append(current)
            current, size = {}, 0
        current[name] = state[name]
        size += tensor_bytes
    shards.append(current)
    if len(shards) == 1:
        write_safetensors(os.path.join(args.model_dir, "model.safetensors"), shards[0])
        print(f"wrote {args.model_dir}/model.safetensors ({len(state)} tensors)")
        return
    weight_map = {}
    for i, shard in enumerate(shards):
        file_name = f"model-{i + 1:05d}-of-{len(shards):05d}.safetensors"
        write_safetensors(os.path.join(args.model_dir, file_name), shard)
        weight_map.update({name: file_name for name in shard})
    total = sum(t.numel() * t.element_size() for t in state.values())
    index_path = os.path.join(args.model_dir, "model.safetensors.index.json")
    with open(index_path + ".tmp", "w", encoding="utf-8") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": weight_map}, f, indent=2)
    os.replace(index_path + ".tmp", index_path)
    print(f"wrote {len(shards)} shards and {index_path} ({len(state)} tensors)")


if __name__ == "__main__":
    main()
