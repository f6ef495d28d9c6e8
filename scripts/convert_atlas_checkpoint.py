#!/usr/bin/python3
"""Convert an Atlas checkpoint (`model.pth.tar`) into corag's reader and retriever directories.

The paper starts CoRAG from the Atlas-pretrained T5-base reader and Contriever retriever
(section 3.2, appendix C). Atlas (facebookresearch/atlas) saves both in one file:
`{"model": state_dict, "opt": argparse.Namespace, "step": int, "optimizer": ..., ...}`
(src/model_io.py, save_atlas_model). In the state dict (src/atlas.py, src/retrievers.py):

- `reader.<name>`: the FiD reader, a T5ForConditionalGeneration under HF's own names;
- `retriever.contriever.<name>`: a Contriever (BertModel without pooler) shared by queries and
  passages, or, after query-side training, `retriever.query_contriever.<name>` and
  `retriever.passage_contriever.<name>`;
- `reader.module.` / `retriever.module.` when saved from DDP (Atlas strips `.module`).

This writes OUT/reader (config.json, model.safetensors, spiece.model and the other tokenizer files
found beside it) and OUT/retriever (config.json, model.safetensors, vocab.txt,
tokenizer_config.json), plus OUT/retriever/passage_encoder/ (with its tokenizer files) when the
two encoders differ. The tokenizers are not in the checkpoint: pass the directories (or files) of
the models Atlas started from (google/t5-base-lm-adapt's spiece.model, facebook/contriever's
vocab.txt). config.json comes from --reader-config / --retriever-config when given, else from the
tensors' shapes (T5 heads from the relative attention bias, BERT heads as hidden / 64).

The file is read as weights only: `torch.load(..., weights_only=True)`, with argparse.Namespace
(Atlas's `opt`) allowed where torch can allow it; torch releases whose weights-only loader cannot
(Debian's 1.13) read it with a restricted unpickler of the same policy that turns `opt` into
plain data. Nothing in the file is executed. Needs only Debian's python3-torch:

    /usr/bin/python3 scripts/convert_atlas_checkpoint.py atlas/base/model.pth.tar \\
        --reader-tokenizer t5-base-lm-adapt/ --retriever-tokenizer contriever/ --out models/atlas-base
"""
import argparse
import collections
import json
import os
import pickle
import re
import shutil
import sys
import zipfile

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert_pytorch_bin import drop_tied_copies, write_safetensors  # noqa: E402

READER_TOKENIZER_FILES = ("spiece.model", "tokenizer_config.json", "special_tokens_map.json")
RETRIEVER_TOKENIZER_FILES = ("vocab.txt", "tokenizer_config.json", "special_tokens_map.json")


class RestrictedUnpickler(pickle.Unpickler):
    """torch's weights-only policy for a torch.save zip: tensors, storages and plain containers;
    argparse.Namespace (Atlas's `opt`) becomes a dict. Any other class is refused, so unpickling
    cannot run code."""

    def __init__(self, file, archive, prefix):
        super().__init__(file)
        self.archive, self.prefix = archive, prefix

    def find_class(self, module, name):
        if (module, name) == ("argparse", "Namespace"):
            return NamespaceData
        if (module, name) == ("collections", "OrderedDict"):
            return collections.OrderedDict
        if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_parameter"):
            return getattr(torch._utils, name)
        if module == "torch" and name.endswith("Storage") and isinstance(getattr(torch, name, None), type):
            return getattr(torch, name)
        raise pickle.UnpicklingError(f"refusing {module}.{name}: not a tensor or plain data")

    def persistent_load(self, pid):
        kind, storage_type, key, _location, numel = pid
        if kind != "storage":
            raise pickle.UnpicklingError(f"unsupported persistent id {kind!r}")
        dtype = storage_type.dtype
        data = bytearray(self.archive.read(f"{self.prefix}/data/{key}"))
        values = torch.frombuffer(data, dtype=dtype) if data else torch.empty(0, dtype=dtype)
        if values.numel() != numel:
            raise pickle.UnpicklingError(f"storage {key}: {values.numel()} elements, expected {numel}")
        return values.storage()


class NamespaceData(dict):
    """What argparse.Namespace becomes: its attributes as a dict."""

    def __setstate__(self, state):
        self.update(state)


def load_weights_only(path):
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as error:
        if "Namespace" not in str(error):
            raise
    if hasattr(torch.serialization, "safe_globals"):
        with torch.serialization.safe_globals([argparse.Namespace]):
            return torch.load(path, map_location="cpu", weights_only=True)
    with zipfile.ZipFile(path) as archive:
        pickles = [name for name in archive.namelist() if name.endswith("/data.pkl")]
        if len(pickles) != 1:
            sys.exit(f"error: {path}: not a torch.save zip archive (no single data.pkl)")
        prefix = pickles[0][: -len("/data.pkl")]
        with archive.open(pickles[0]) as file:
            return RestrictedUnpickler(file, archive, prefix).load()


def split_state(state):
    """{reader name: tensor}, {query encoder name: tensor}, {passage encoder name: tensor} (or None)."""
    reader, shared, query, passage = {}, {}, {}, {}
    for name, tensor in state.items():
        name = name.replace("reader.module.", "reader.").replace("retriever.module.", "retriever.")
        for prefix, target in (("reader.", reader), ("retriever.contriever.", shared),
                               ("retriever.query_contriever.", query), ("retriever.passage_contriever.", passage)):
            if name.startswith(prefix):
                target[name[len(prefix):]] = tensor.detach()
                break
        else:
            sys.exit(f"error: unexpected tensor {name!r}: not an Atlas reader or retriever parameter")
    if shared and (query or passage):
        sys.exit("error: the checkpoint holds both a tied and untied retriever")
    if not reader or not (shared or query):
        sys.exit("error: the checkpoint has no reader.* or no retriever.*contriever.* tensors")
    if shared:
        return reader, shared, None
    if set(query) != set(passage):
        sys.exit("error: the query and passage encoders have different tensors")
    same = all(torch.equal(query[name], passage[name]) for name in query)
    return reader, query, None if same else passage


def count_blocks(state, pattern):
    found = {int(match.group(1)) for name in state for match in [re.match(pattern, name)] if match}
    return max(found) + 1 if found else 0


def t5_config(state):
    shared = state["shared.weight"]
    attention = "encoder.block.0.layer.0.SelfAttention."
    buckets, heads = state[attention + "relative_attention_bias.weight"].shape
    gated = "encoder.block.0.layer.1.DenseReluDense.wi_0.weight" in state
    wi = state["encoder.block.0.layer.1.DenseReluDense." + ("wi_0" if gated else "wi") + ".weight"]
    lm_head = state.get("lm_head.weight")
    tied = lm_head is None or torch.equal(lm_head, shared)
    return {"architectures": ["T5ForConditionalGeneration"], "model_type": "t5", "is_encoder_decoder": True,
            "vocab_size": shared.shape[0], "d_model": shared.shape[1], "d_kv": state[attention + "q.weight"].shape[0] // heads,
            "d_ff": wi.shape[0], "num_layers": count_blocks(state, r"encoder\.block\.(\d+)\."),
            "num_decoder_layers": count_blocks(state, r"decoder\.block\.(\d+)\."), "num_heads": heads,
            "relative_attention_num_buckets": buckets, "relative_attention_max_distance": 128,
            "feed_forward_proj": "gated-gelu" if gated else "relu", "tie_word_embeddings": tied,
            "dropout_rate": 0.1, "layer_norm_epsilon": 1e-6, "initializer_factor": 1.0,
            "pad_token_id": 0, "eos_token_id": 1, "decoder_start_token_id": 0}


def bert_config(state):
    words = state["embeddings.word_embeddings.weight"]
    return {"architectures": ["BertModel"], "model_type": "bert", "vocab_size": words.shape[0],
            "hidden_size": words.shape[1], "num_hidden_layers": count_blocks(state, r"encoder\.layer\.(\d+)\."),
            "num_attention_heads": max(1, words.shape[1] // 64),
            "intermediate_size": state["encoder.layer.0.intermediate.dense.weight"].shape[0],
            "max_position_embeddings": state["embeddings.position_embeddings.weight"].shape[0],
            "type_vocab_size": state["embeddings.token_type_embeddings.weight"].shape[0], "hidden_act": "gelu",
            "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1, "layer_norm_eps": 1e-12,
            "initializer_range": 0.02, "pad_token_id": 0}


def copy_tokenizer(source, names, out_dir):
    """Copies the tokenizer files `names` found in directory `source` (or `source` itself, a file)."""
    if os.path.isfile(source):
        shutil.copyfile(source, os.path.join(out_dir, names[0]))
        return
    if not os.path.isfile(os.path.join(source, names[0])):
        sys.exit(f"error: {source} has no {names[0]}")
    for name in names:
        if os.path.isfile(os.path.join(source, name)):
            shutil.copyfile(os.path.join(source, name), os.path.join(out_dir, name))


def write_model(out_dir, tensors, config, tokenizer, tokenizer_files, default_tokenizer_config=None):
    """Writes one HF directory; `default_tokenizer_config` when `tokenizer` brought none."""
    os.makedirs(out_dir, exist_ok=True)
    write_safetensors(os.path.join(out_dir, "model.safetensors"), tensors)
    with open(os.path.join(out_dir, "config.json.tmp"), "w", encoding="utf-8") as f:
        json.dump(config, f, indent=2)
    os.replace(os.path.join(out_dir, "config.json.tmp"), os.path.join(out_dir, "config.json"))
    copy_tokenizer(tokenizer, tokenizer_files, out_dir)
    if default_tokenizer_config is not None and not os.path.isfile(os.path.join(out_dir, "tokenizer_config.json")):
        with open(os.path.join(out_dir, "tokenizer_config.json"), "w", encoding="utf-8") as f:
            json.dump(default_tokenizer_config, f, indent=2)


def read_config(path, inferred):
    if not path:
        return inferred
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoint", help="Atlas model.pth.tar")
    parser.add_argument("--reader-tokenizer", required=True, help="directory with spiece.model (or the file)")
    parser.add_argument("--retriever-tokenizer", required=True, help="directory with vocab.txt (or the file)")
    parser.add_argument("--reader-config", help="HF config.json of the reader (default: inferred from the tensors)")
    parser.add_argument("--retriever-config", help="HF config.json of the retriever (default: inferred)")
    parser.add_argument("--out", required=True, help="writes OUT/reader and OUT/retriever")
    args = parser.parse_args()

    checkpoint = load_weights_only(args.checkpoint)
    if not isinstance(checkpoint, dict) or not isinstance(checkpoint.get("model"), dict):
        sys.exit(f"error: {args.checkpoint}: no 'model' state dict (is it an Atlas model.pth.tar?)")
    reader, query, passage = split_state(checkpoint["model"])
    reader = drop_tied_copies(reader)
    if "lm_head.weight" in reader and torch.equal(reader["lm_head.weight"], reader["shared.weight"]):
        del reader["lm_head.weight"]  # tied (T5 v1.0): transformers saves it once, as shared.weight

    write_model(os.path.join(args.out, "reader"), reader, read_config(args.reader_config, t5_config(reader)),
                args.reader_tokenizer, READER_TOKENIZER_FILES)
    retriever_dir = os.path.join(args.out, "retriever")
    retriever_config = read_config(args.retriever_config, bert_config(query))
    # Contriever uses bert-base-uncased's tokenizer: lower-cased unless its tokenizer_config.json says otherwise.
    for directory, tensors in ((retriever_dir, query), (os.path.join(retriever_dir, "passage_encoder"), passage)):
        if tensors is not None:
            write_model(directory, tensors, retriever_config, args.retriever_tokenizer, RETRIEVER_TOKENIZER_FILES,
                        default_tokenizer_config={"do_lower_case": True})
    print(f"wrote {args.out}/reader ({len(reader)} tensors) and {retriever_dir} ({len(query)} tensors"
          f"{', separate passage encoder' if passage is not None else ''}); Atlas step {checkpoint.get('step')}")


if __name__ == "__main__":
    main()
