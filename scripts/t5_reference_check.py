#!/usr/bin/env python3
"""Recomputes `corag reader score --emit-tokens` NLLs with a plain-torch T5 written from HF's
`modeling_t5` semantics, as a parity check where `transformers` itself is not available.

It is a second implementation, not HF: it checks corag against HF's documented semantics
(RMS norm without mean, unscaled attention logits, relative position buckets from the first
layer, bidirectional in the encoder and causal in the decoder, no position bias in
cross-attention, tied head scaled by d_model^-0.5 or an untied lm_head, decoder start = pad,
FiD = encoder rows concatenated), in float64. scripts/make_hf_fixtures.py is the real thing.

    corag reader score --reader DIR --input IN.jsonl --out SCORED.jsonl --emit-tokens
    /usr/bin/python3 scripts/t5_reference_check.py --reader DIR --scored SCORED.jsonl
Needs Debian's python3-torch. Exits 1 when any NLL differs by more than --tolerance.
"""
import argparse
import json
import math
import struct
import sys

import torch

DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16, "F64": torch.float64}


def load_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    size = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + size])
    tensors = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        data = bytearray(raw[8 + size + begin:8 + size + end])
        tensors[name] = torch.frombuffer(data, dtype=DTYPES[entry["dtype"]]).reshape(entry["shape"]).double()
    return tensors


def position_buckets(relative, bidirectional, buckets, max_distance):
    out = torch.zeros_like(relative)
    if bidirectional:
        buckets //= 2
        out += (relative > 0).long() * buckets
        distance = relative.abs()
    else:
        distance = -torch.clamp(relative, max=0)
    exact = buckets // 2
    large = exact + (torch.log(distance.double().clamp(min=1) / exact) / math.log(max_distance / exact)
                     * (buckets - exact)).long()
    return out + torch.where(distance < exact, distance, large.clamp(max=buckets - 1))


class ReferenceT5:
    def __init__(self, directory):
        with open(f"{directory}/config.json") as f:
            self.config = json.load(f)
        self.w = load_safetensors(f"{directory}/model.safetensors")
        self.heads, self.d_kv = self.config["num_heads"], self.config["d_kv"]

    def norm(self, x, name):
        return self.w[name] * x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.config["layer_norm_epsilon"])

    def attention(self, x, memory, prefix, bias):
        batch, queries, keys = x.shape[0], x.shape[1], memory.shape[1]

        def split(t, n):
            return t.view(batch, n, self.heads, self.d_kv).transpose(1, 2)

        q = split(x @ self.w[prefix + ".q.weight"].T, queries)
        k = split(memory @ self.w[prefix + ".k.weight"].T, keys)
        v = split(memory @ self.w[prefix + ".v.weight"].T, keys)
        weights = torch.softmax(q @ k.transpose(-1, -2) + bias, -1)
        return (weights @ v).transpose(1, 2).reshape(batch, queries, -1) @ self.w[prefix + ".o.weight"].T

    def position_bias(self, prefix, length, bidirectional):
        relative = torch.arange(length)[None, :] - torch.arange(length)[:, None]
        buckets = position_buckets(relative, bidirectional, self.config["relative_attention_num_buckets"],
                                   self.config.get("relative_attention_max_distance", 128))
        return self.w[prefix + ".relative_attention_bias.weight"][buckets].permute(2, 0, 1)[None]

    def feed_forward(self, x, prefix):
        h = self.norm(x, prefix + ".layer_norm.weight")
        if self.config.get("feed_forward_proj", "relu").startswith("gated"):
            gate = h @ self.w[prefix + ".DenseReluDense.wi_0.weight"].T
            gate = 0.5 * gate * (1 + torch.tanh(math.sqrt(2 / math.pi) * (gate + 0.044715 * gate ** 3)))
            h = gate * (h @ self.w[prefix + ".DenseReluDense.wi_1.weight"].T)
        else:
            h = torch.relu(h @ self.w[prefix + ".DenseReluDense.wi.weight"].T)
        return x + h @ self.w[prefix + ".DenseReluDense.wo.weight"].T

    def encode(self, ids, mask):
        x = self.w["shared.weight"][ids]
        bias = self.position_bias("encoder.block.0.layer.0.SelfAttention", ids.shape[1], True)
        bias = bias + (1 - mask[:, None, None, :].double()) * -1e30
        for i in range(self.config["num_layers"]):
            block = f"encoder.block.{i}.layer"
            h = self.norm(x, block + ".0.layer_norm.weight")
            x = x + self.attention(h, h, block + ".0.SelfAttention", bias)
            x = self.feed_forward(x, block + ".1")
        return self.norm(x, "encoder.final_layer_norm.weight")

    def logits(self, memory, memory_mask, decoder_ids):
        y = self.w["shared.weight"][decoder_ids]
        length = decoder_ids.shape[1]
        bias = self.position_bias("decoder.block.0.layer.0.SelfAttention", length, False)
        bias = bias + torch.triu(torch.full((length, length), -1e30, dtype=torch.double), 1)
        cross = (1 - memory_mask[:, None, None, :].double()) * -1e30
        for i in range(self.config.get("num_decoder_layers", self.config["num_layers"])):
            block = f"decoder.block.{i}.layer"
            h = self.norm(y, block + ".0.layer_norm.weight")
            y = y + self.attention(h, h, block + ".0.SelfAttention", bias)
            y = y + self.attention(self.norm(y, block + ".1.layer_norm.weight"), memory, block + ".1.EncDecAttention", cross)
            y = self.feed_forward(y, block + ".2")
        y = self.norm(y, "decoder.final_layer_norm.weight")
        if self.config.get("tie_word_embeddings", True):
            return (y * self.config["d_model"] ** -0.5) @ self.w["shared.weight"].T
        return y @ self.w["lm_head.weight"].T

    def fid_nll(self, rows, target):
        width = max(len(row) for row in rows)
        ids = torch.tensor([row + [0] * (width - len(row)) for row in rows])
        mask = torch.tensor([[1] * len(row) + [0] * (width - len(row)) for row in rows])
        memory = self.encode(ids, mask).reshape(1, -1, self.config["d_model"])
        decoder_ids = torch.tensor([[self.config.get("decoder_start_token_id", 0)] + target[:-1]])
        log_probs = torch.log_softmax(self.logits(memory, mask.reshape(1, -1), decoder_ids), -1)[0]
        return -log_probs[torch.arange(len(target)), torch.tensor(target)].mean().item()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reader", required=True, help="the HF T5 directory corag scored with")
    parser.add_argument("--scored", required=True, help="output of corag reader score --emit-tokens")
    parser.add_argument("--tolerance", type=float, default=1e-4)
    args = parser.parse_args()
    model = ReferenceT5(args.reader)
    worst = 0.0
    with open(args.scored) as f:
        for number, line in enumerate(f, 1):
            record = json.loads(line)
            ours = [record["nll"]] + record["passage_nll"]
            theirs = [model.fid_nll(record["input_ids"], record["target_ids"])]
            theirs += [model.fid_nll([row], record["target_ids"]) for row in record["input_ids"]]
            diff = max(abs(a - b) for a, b in zip(ours, theirs))
            worst = max(worst, diff)
            print(f"line {number}: corag {ours[0]:.6f}, reference {theirs[0]:.6f}, max |diff| {diff:.2e}")
    print(f"max |diff| {worst:.2e} (tolerance {args.tolerance:g})")
    sys.exit(0 if worst <= args.tolerance else 1)


if __name__ == "__main__":
    main()
