#!/usr/bin/env python3
"""Golden values for corag's model tests, computed by Hugging Face `transformers` itself.

Builds small random models of the three architectures corag implements (BERT/Contriever,
T5 v1.0 with ReLU and tied embeddings, T5 v1.1/Flan with gated-GELU and an untied LM head), saves
them in the HF layout with their tokenizer files, and records HF's outputs on fixed inputs:
mean-pooled BERT embeddings, T5 FiD NLL and per-passage NLL (Atlas reader format), greedy tokens,
and the token ids HF's own tokenizers give for tricky strings. corag's tests (hf_parity_test.cpp)
compare against these on the CPU in fp32 (|diff| <= 1e-4, tokens identical).

Needs torch + transformers + sentencepiece (the GPU machine has them; this one does not):
    python3 scripts/make_hf_fixtures.py --spiece SPIECE.model --out tests/data/hf
`--spiece` is any T5-style SentencePiece model (pad 0, eos 1, unk 2), e.g. the one corag's tests
train; keep it small so that the fixtures stay small.
"""
import argparse
import json
import os
import shutil

import torch
import transformers
from transformers import BertConfig, BertModel, BertTokenizer, T5Config, T5ForConditionalGeneration, T5Tokenizer

BERT_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "un", "##aff", "##able", "want", "##ed", ",", "runn",
              "##ing", "the", "a", "who", "wrote", "what", "is", "capital", "of", "france", "paris", "?", ".", "##s",
              "book", "city", "in", "naive", "cafe", "'", "t", "don", "!", "$", "5", "00", "hello", "world"]

TRICKY = ["Hello, World!", "  Héllo\tWORLD\n", "naïve café", "don't", "$5.00", "¿Qué?", "中文abc", "a\x01b\x7fc",
          "x\u00a0y", "unaffable wanted running", "unwanted", "ΟΔΟΣ", "e\u0301te\u0301", ""]

T5_TRICKY = ["question: who wrote the book? answer: <extra_id_0>", "<extra_id_0> Paris", "a <extra_id_0>  b<extra_id_1>c",
             "x</s>", "<extra_id_100>", "  leading and trailing  ", "Ünïcödé and 1,234.5"]

QUESTIONS = ["who wrote the book of the city", "what is the capital of france", "who is paris"]
PASSAGES = [
    [{"title": "The City", "text": "a book written in france"}, {"title": "Paris", "text": "capital of france"}],
    [{"title": "France", "text": "paris is the capital and the largest city of france"},
     {"title": "Lyon", "text": "a city"}, {"title": "Book", "text": "who wrote what is not known"}],
    [],
]
ANSWERS = ["the city", "paris", "a man"]
TEXT_MAXLENGTH = 48
ANSWER_MAXLENGTH = 16
MAX_NEW_TOKENS = 12


def atlas_inputs(question, passages):
    query = f"question: {question} answer: <extra_id_0>"
    if not passages:
        return [query]
    return [f"{query} title: {p['title']} context: {p['text']}" for p in passages]


def bert_fixture(out):
    directory = os.path.join(out, "bert")
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "vocab.txt"), "w", encoding="utf-8") as f:
        f.write("\n".join(BERT_VOCAB) + "\n")
    tokenizer = BertTokenizer(os.path.join(directory, "vocab.txt"), do_lower_case=True)
    config = BertConfig(vocab_size=len(BERT_VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(1)
    model = BertModel(config, add_pooling_layer=False).eval()
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)
    texts = QUESTIONS + ["the capital of france is paris , a city in france", "a"]
    batch = tokenizer(texts, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = model(input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]).last_hidden_state
    mask = batch["attention_mask"].unsqueeze(-1).float()
    embeddings = (hidden * mask).sum(1) / mask.sum(1)
    return {"dir": "bert", "texts": texts, "embeddings": embeddings.tolist(),
            "tokens": {text: tokenizer(text)["input_ids"] for text in TRICKY}}


def reader_fixture(out, name, spiece, v1_1):
    directory = os.path.join(out, name)
    os.makedirs(directory, exist_ok=True)
    shutil.copy(spiece, os.path.join(directory, "spiece.model"))
    tokenizer = T5Tokenizer(os.path.join(directory, "spiece.model"), legacy=True)
    config = T5Config(vocab_size=len(tokenizer), d_model=32, d_kv=8, d_ff=64, num_layers=2,
                      num_decoder_layers=3 if v1_1 else 2, num_heads=4, relative_attention_num_buckets=8,
                      relative_attention_max_distance=20, dropout_rate=0.0,
                      feed_forward_proj="gated-gelu" if v1_1 else "relu", tie_word_embeddings=not v1_1,
                      decoder_start_token_id=0)
    torch.manual_seed(2 if v1_1 else 3)
    model = T5ForConditionalGeneration(config).eval()
    model.save_pretrained(directory, safe_serialization=True)
    tokenizer.save_pretrained(directory)

    record = {"dir": name, "text_maxlength": TEXT_MAXLENGTH, "answer_maxlength": ANSWER_MAXLENGTH,
              "max_new_tokens": MAX_NEW_TOKENS, "examples": [], "input_ids": [], "target_ids": [], "nll": [],
              "passage_nll": [], "generated": []}
    for question, passages, answer in zip(QUESTIONS, PASSAGES, ANSWERS):
        texts = atlas_inputs(question, passages)
        encoded = tokenizer(texts, max_length=TEXT_MAXLENGTH, truncation=True, padding=True, return_tensors="pt")
        target = tokenizer(f"<extra_id_0> {answer}", max_length=ANSWER_MAXLENGTH, truncation=True,
                           return_tensors="pt")["input_ids"]
        with torch.no_grad():
            states = model.encoder(input_ids=encoded["input_ids"], attention_mask=encoded["attention_mask"]).last_hidden_state
            n, length, width = states.shape
            joined = states.reshape(1, n * length, width)
            joined_mask = encoded["attention_mask"].reshape(1, n * length)
            fid = model(encoder_outputs=(joined,), attention_mask=joined_mask, labels=target).loss
            per_passage = [model(encoder_outputs=(states[i:i + 1],), attention_mask=encoded["attention_mask"][i:i + 1],
                                 labels=target).loss.item() for i in range(n)]
            generated = model.generate(encoder_outputs=transformers.modeling_outputs.BaseModelOutput(last_hidden_state=joined),
                                       attention_mask=joined_mask, max_new_tokens=MAX_NEW_TOKENS, num_beams=1,
                                       do_sample=False)
        ids = [row[: int(mask.sum())].tolist() for row, mask in zip(encoded["input_ids"], encoded["attention_mask"])]
        tokens = generated[0, 1:].tolist()
        if tokenizer.eos_token_id in tokens:
            tokens = tokens[: tokens.index(tokenizer.eos_token_id) + 1]
        record["examples"].append({"question": question, "answers": [answer], "passages": passages})
        record["input_ids"].append(ids)
        record["target_ids"].append(target[0].tolist())
        record["nll"].append(fid.item())
        record["passage_nll"].append(per_passage if passages else [])
        record["generated"].append(tokens)
    record["tokens"] = {text: tokenizer(text)["input_ids"] for text in T5_TRICKY}
    return record


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spiece", required=True, help="T5-style SentencePiece model (pad 0, eos 1, unk 2)")
    parser.add_argument("--out", default="tests/data/hf")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_default_dtype(torch.float32)
    expected = {"transformers": transformers.__version__, "torch": torch.__version__,
                "bert": bert_fixture(args.out),
                "readers": [reader_fixture(args.out, "t5", args.spiece, False),
                            reader_fixture(args.out, "t5-v1_1", args.spiece, True)]}
    with open(os.path.join(args.out, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
    print(f"wrote {args.out}/expected.json with transformers {transformers.__version__}")


if __name__ == "__main__":
    main()
