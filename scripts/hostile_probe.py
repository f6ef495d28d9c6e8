#!/usr/bin/env python3
"""Feeds corag hostile input, as a user with files from the internet would (issue 24), and tallies
what each family of cases gets: a clean error, an accepted input, a crash, a hang, a silent wrong
result or lost data.

  hostile_probe.py [--bin DIR] [--mutations N] [--timeout S] [--only FAMILY,...] [--list] WORK_DIR

Its inputs come from one `corag demo --quick --inputs-only` run in WORK_DIR/inputs (reused when
there). Every case runs one corag command with a timeout and is classified:
  clean error    non-zero exit with an `error:` line naming the file, key or limit at fault
  accepted       exit 0 where the input is valid (its output checked), or a mutation that left the
                 input valid (a flipped byte inside a value that no structure check can tell)
  crash          a signal, a sanitizer report, an uncaught exception or a non-zero exit without an
                 `error:` line
  hang           still running at the timeout
  silent wrong   exit 0 where the input must be refused, or a valid input refused or misread
  data loss      a file the command must not touch (its inputs, another run) changed or vanished
Prints a Markdown table per family and the cases that went wrong (every case with --list); exits 1
if any went wrong. Built with
sanitizers (CORAG_SANITIZE), corag also turns memory errors into crashes here.
"""
import argparse
import fcntl
import hashlib
import json
import os
import random
import shutil
import signal
import struct
import subprocess
import sys
import time

SANITIZER_MARKS = ("AddressSanitizer", "UndefinedBehaviorSanitizer", "runtime error:", "terminate called",
                   "Segmentation fault", "Aborted")
COLUMNS = ("clean error", "accepted", "crash", "hang", "silent wrong", "data loss")


class Probe:
    def __init__(self, args):
        self.bin = os.path.abspath(args.bin)
        self.work = os.path.abspath(args.work_dir)
        self.timeout = args.timeout
        self.mutations = args.mutations
        self.rng = random.Random(24)
        self.inputs = os.path.join(self.work, "inputs")
        self.cases = os.path.join(self.work, "cases")
        self.results = {}  # family -> list of (case, outcome, detail)
        self.env = dict(os.environ, ASAN_OPTIONS="detect_leaks=0:abort_on_error=1",
                        UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1", CORAG_HEARTBEAT_SECONDS="3600")

    # --- running ---------------------------------------------------------------------------
    def corag(self, *argv):
        return [os.path.join(self.bin, "corag"), "-q", *argv]

    def crab_build_stores(self, *argv):
        return [os.path.join(self.bin, "crab-build-stores"), "-q", *argv]

    def run(self, argv, timeout=None):
        started = time.monotonic()
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=self.env,
                                   start_new_session=True)
        try:
            out, err = process.communicate(timeout=timeout or self.timeout)
            return process.returncode, out.decode(errors="replace"), err.decode(errors="replace"), False
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            out, err = process.communicate()
            return None, out.decode(errors="replace"), err.decode(errors="replace"), True
        finally:
            self.last_seconds = time.monotonic() - started

    def must(self, argv, timeout=1800):
        code, out, err, _ = self.run(argv, timeout)
        if code != 0:
            sys.exit("hostile_probe: setup failed: %s\n%s" % (" ".join(argv), err[-3000:]))
        return out

    def case(self, family, name, argv, expect, names=(), protect=(), check=None, timeout=None):
        """expect: 'refuse', 'accept' or 'either' (a mutation: refused or still valid). names: one
        of them must appear in the error. protect: paths that must be left as they were. check:
        called after an exit 0 where the input is valid; returns a problem or None."""
        before = {path: digest(path) for path in protect}
        code, out, err, hung = self.run(argv, timeout)
        after = {path: digest(path) for path in protect}
        error_lines = [line for line in err.splitlines() if "error:" in line]
        if any(before[path] != after[path] for path in protect):
            outcome, detail = "data loss", "changed: " + ", ".join(p for p in protect if before[p] != after[p])
        elif hung:
            outcome, detail = "hang", "killed after %ss" % (timeout or self.timeout)
        elif code < 0 or any(mark in err for mark in SANITIZER_MARKS):
            outcome, detail = "crash", "exit %s: %s" % (code, tail(err))
        elif code != 0 and not error_lines:
            outcome, detail = "crash", "exit %s without an error line: %s" % (code, tail(err))
        elif code != 0:
            if expect == "accept":
                outcome, detail = "silent wrong", "valid input refused: " + error_lines[-1]
            elif names and not any(n in err for n in names):
                outcome, detail = "silent wrong", "error names none of %s: %s" % (list(names), error_lines[-1])
            else:
                outcome, detail = "clean error", error_lines[-1]
        elif expect == "refuse":
            outcome, detail = "silent wrong", "accepted (exit 0)"
        else:
            problem = check(out) if check else None
            outcome, detail = ("silent wrong", problem) if problem else ("accepted", "")
        self.results.setdefault(family, []).append((name, outcome, detail))
        return outcome

    # --- inputs ----------------------------------------------------------------------------
    def prepare(self):
        if not os.path.exists(os.path.join(self.inputs, "configs", "sweep.yaml")):
            print("hostile_probe: building the inputs (corag demo --quick --inputs-only)", flush=True)
            self.must(self.corag("demo", "--quick", "--inputs-only", "--out", self.inputs), timeout=3600)
        shutil.rmtree(self.cases, ignore_errors=True)
        os.makedirs(self.cases)
        i = self.inputs
        self.passages = os.path.join(i, "world", "passages.jsonl")
        self.retriever = os.path.join(i, "models", "retriever")
        self.reader = os.path.join(i, "models", "reader")
        self.store = os.path.join(i, "embeddings")
        self.crab_config = os.path.join(i, "configs", "crab.yaml")
        self.train_config = os.path.join(i, "configs", "runs", "REL-8shot-collaborative.yaml")
        data = os.path.join(self.work, "data")  # valid inputs the cases read (and must leave alone)
        os.makedirs(data, exist_ok=True)
        self.queries = os.path.join(data, "queries.jsonl")
        with open(os.path.join(i, "world", "qa.test_pool.jsonl")) as f:
            lines = f.readlines()[:8]
        write(self.queries, "".join(lines))
        self.bm25 = os.path.join(self.work, "bm25")
        if not os.path.exists(os.path.join(self.bm25, "bm25.json")):
            self.must(self.corag("bm25", "build", "--passages", self.passages, "--out", self.bm25))
        self.hnsw = os.path.join(self.work, "hnsw")
        if not os.path.exists(os.path.join(self.hnsw, "meta.json")):
            self.must(self.corag("index", "build", "--retriever", self.retriever, "--passages", self.passages,
                                 "--index", "HNSW8", "--out", self.hnsw))
        self.reader_input = os.path.join(data, "reader_input.jsonl")
        self.must(self.corag("bm25", "search", "--index", self.bm25, "--queries", self.queries, "--top-k", "2",
                             "--out", self.reader_input))
        self.protected = [self.passages, self.queries, self.reader_input] + files_under(self.reader) + \
            files_under(self.retriever) + files_under(self.store)

    def path(self, name):
        return os.path.join(self.cases, name)

    def copy_dir(self, source, name):
        target = self.path(name)
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(source, target)
        return target

    # --- families --------------------------------------------------------------------------
    def family_deep_json(self):
        family = "deeply nested JSON"
        deep = "[" * 200000 + "]" * 200000
        qa_answers = self.path("deep_answers.jsonl")
        write(qa_answers, '{"question": "q", "answers": %s}\n' % deep)
        qa_id = self.path("deep_id.jsonl")
        write(qa_id, '{"question": "q", "answers": ["a"], "id": %s}\n' % deep)
        for name, qa in (("QA answers", qa_answers), ("QA id", qa_id)):
            self.case(family, name + " (retrieve)", self.corag("retrieve", "--store", self.store, "--retriever",
                                                               self.retriever, "--queries", qa, "--out",
                                                               self.path("o.jsonl")), "refuse", [qa])
            self.case(family, name + " (data-check)", self.corag("data-check", "--qa", qa), "refuse", [qa])
        generate_input = self.path("deep_generate.jsonl")
        write(generate_input, '{"question": "q", "passages": %s}\n' % deep)
        self.case(family, "generate input", self.corag("generate", "--reader", self.reader, "--input",
                                                       generate_input, "--out", self.path("o.jsonl")),
                  "refuse", [generate_input])
        for name, model in (("reader config.json", self.reader), ("retriever config.json", self.retriever)):
            copy = self.copy_dir(model, "deep_" + os.path.basename(model))
            write(os.path.join(copy, "config.json"), '{"d_model": %s}' % deep)
            self.case(family, name, self.model_command(model, copy), "refuse", ["config.json"])
        store = self.copy_dir(self.store, "deep_store")
        write(os.path.join(store, "meta.json"), deep)
        self.case(family, "store meta.json", self.retrieve_command(store=store), "refuse", ["meta.json"])
        predictions = self.path("deep_predictions.jsonl")
        write(predictions, '{"id": "1", "prediction": %s}\n' % deep)
        self.case(family, "eval predictions", self.corag("eval", "--predictions", predictions, "--gold",
                                                         self.queries), "refuse", [predictions])
        passages = self.path("deep_passages.jsonl")
        write(passages, '{"id": "p", "title": "t", "text": %s}\n' % deep)
        self.case(family, "passages (bm25 build)", self.corag("bm25", "build", "--passages", passages, "--out",
                                                              self.path("deep_bm25")), "refuse", [passages])

    def model_command(self, model, copy):
        if model == self.reader:
            return self.corag("generate", "--reader", copy, "--input", self.reader_input, "--out",
                              self.path("o.jsonl"))
        return self.retrieve_command(retriever=copy)

    def retrieve_command(self, store=None, retriever=None, queries=None, out=None):
        return self.corag("retrieve", "--store", store or self.store, "--retriever", retriever or self.retriever,
                          "--queries", queries or self.queries, "--top-k", "3", "--out",
                          out or self.path("retrieved.jsonl"))

    def mutate_files(self, family, label, folder, files, command, names=()):
        """Byte flips and truncations of each file in `files` (names inside `folder`)."""
        for name in files:
            original = read(os.path.join(folder, name))
            variants = [("truncated to 0", b""), ("truncated to half", original[:len(original) // 2])]
            for index in range(self.mutations if original else 0):
                variants.append(("byte flips %d" % index, flipped(original, self.rng, (1, 2, 4, 16, 64))))
            for variant, data in variants:
                copy = self.copy_dir(folder, label + "_mutated")
                write_bytes(os.path.join(copy, name), data)
                self.case(family, "%s %s" % (name, variant), command(copy), "either", names or [copy])

    def family_bm25(self):
        family = "BM25 index files"
        files = sorted(name for name in os.listdir(self.bm25) if not name.startswith("."))
        self.mutate_files(family, "bm25", self.bm25, files,
                          lambda copy: self.corag("bm25", "search", "--index", copy, "--queries", self.queries,
                                                  "--top-k", "5", "--out", self.path("hits.jsonl")))

    def family_faiss(self):
        family = "FAISS index (HNSW store)"
        self.mutate_files(family, "hnsw", self.hnsw, ["index.faiss", "meta.json", "docid"],
                          lambda copy: self.retrieve_command(store=copy))
        # An index that matches its recorded checksum but not its structure: only the structure
        # check stands between FAISS's reader and the process.
        for index in range(self.mutations):
            copy = self.copy_dir(self.hnsw, "hnsw_rechecked")
            data = flipped(read(os.path.join(copy, "index.faiss")), self.rng, (1, 4, 16))
            write_bytes(os.path.join(copy, "index.faiss"), data)
            meta_file = os.path.join(copy, "meta.json")
            meta = json.loads(read(meta_file))
            meta["index_checksum"] = fnv1a_hex(data)
            write(meta_file, json.dumps(meta))
            self.case(family, "index.faiss flips, checksum updated %d" % index, self.retrieve_command(store=copy),
                      "either", [copy])

    def family_safetensors(self):
        family = "safetensors"
        self.mutate_files(family, "reader", self.reader, ["model.safetensors"],
                          lambda copy: self.corag("inspect", os.path.join(copy, "model.safetensors")))
        many = self.path("many.safetensors")
        write_bytes(many, safetensors_bytes({"t%d" % k: ("F32", [1], 4 * k) for k in range(200000)}, 800000))
        self.case(family, "200,000 tensors (valid: read in linear time)", self.corag("inspect", many), "accept",
                  check=lambda out: None if "t199999" in out else "t199999 not listed")
        crafted = {
            "header length 2^63": struct.pack("<Q", 1 << 63) + b"{}",
            "offsets past the end": safetensors_bytes({"w": ("F32", [4], 0)}, 8),
            "overlapping tensors": safetensors_bytes({"a": ("F32", [2], 0), "b": ("F32", [2], 4)}, 16),
            "shape overflowing": safetensors_bytes({"w": ("F32", [1 << 62, 8], 0)}, 16),
            "unknown dtype": safetensors_bytes({"w": ("Q4", [2], 0)}, 8),
        }
        for name, data in crafted.items():
            target = self.path("crafted.safetensors")
            write_bytes(target, data)
            self.case(family, name, self.corag("inspect", target), "refuse", [target])
        copy = self.copy_dir(self.reader, "reader_i64")
        write_bytes(os.path.join(copy, "model.safetensors"),
                    widen_to_i64(read(os.path.join(self.reader, "model.safetensors"))))
        self.case(family, "reader weights stored as I64", self.model_command(self.reader, copy), "refuse",
                  ["model.safetensors", "I64"])
        fifo = self.copy_dir(self.reader, "reader_fifo")
        os.remove(os.path.join(fifo, "model.safetensors"))
        os.mkfifo(os.path.join(fifo, "model.safetensors"))
        self.case(family, "a FIFO as model.safetensors", self.model_command(self.reader, fifo), "refuse",
                  ["model.safetensors"])

    def family_hf_config(self):
        family = "HF config.json"
        reader_config = json.loads(read(os.path.join(self.reader, "config.json")))
        retriever_config = json.loads(read(os.path.join(self.retriever, "config.json")))
        edits = [
            (self.reader, reader_config, "num_layers", 1000000),
            (self.reader, reader_config, "d_model", 4000000),
            (self.reader, reader_config, "vocab_size", 2000000000),
            (self.reader, reader_config, "num_heads", 0),
            (self.reader, reader_config, "layer_norm_epsilon", -1),
            (self.reader, reader_config, "d_kv", "8"),
            (self.reader, reader_config, "relative_attention_num_buckets", -3),
            (self.reader, reader_config, "feed_forward_proj", "quantum-gelu"),
            (self.retriever, retriever_config, "num_hidden_layers", 1000000),
            (self.retriever, retriever_config, "hidden_size", 5000000),
            (self.retriever, retriever_config, "num_attention_heads", 7),
            (self.retriever, retriever_config, "max_position_embeddings", -1),
            (self.retriever, retriever_config, "layer_norm_eps", float("nan")),
        ]
        for model, config, key, value in edits:
            copy = self.copy_dir(model, "hf_" + os.path.basename(model))
            edited = dict(config, **{key: value})
            write(os.path.join(copy, "config.json"), json.dumps(edited))
            self.case(family, "%s %s: %r" % (os.path.basename(model), key, value),
                      self.model_command(model, copy), "refuse", ["config.json"])
        for model in (self.reader, self.retriever):
            self.mutate_files(family, "hf_" + os.path.basename(model), model, ["config.json"],
                              lambda copy, model=model: self.model_command(model, copy))

    def family_yaml(self):
        family = "YAML configs"
        base = read(self.train_config).decode()
        crab = read(self.crab_config).decode()
        cases = [
            ("duplicated key", base + "\nruntime:\n  seed: 5\n", ["duplicate", "runtime"]),
            ("unknown key", base.replace("runtime:", "runtime:\n  sead: 1", 1), ["sead"]),
            ("threads 4096", None, []),
            ("tab indentation", base.replace("  ", "\t", 3), []),
            ("alias bomb", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]\n' +
             "".join('%s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' % ((chr(98 + k), chr(98 + k)) +
                                                                             (chr(97 + k),) * 10)
                     for k in range(9)), []),
            ("deep nesting", "model: " + "[" * 100000 + "]" * 100000 + "\n", []),
            ("invalid UTF-8 in a comment", base + "\n# \xff\xfe\n", ["not valid UTF-8"]),
            ("binary garbage", "\x00\x01\x02\x03", []),
        ]
        for name, text, names in cases:
            target = self.path("config.yaml")
            if text is None:
                self.case(family, name, self.corag("config", "--config", self.train_config, "--set",
                                                   "runtime.threads=4096"), "either")
                continue
            write_bytes(target, text.encode("utf-8", "surrogateescape") if "\xff" not in text else
                        text.encode("latin-1"))
            self.case(family, name, self.corag("config", "--config", target), "refuse", names or [target])
        shots = self.path("crab_shots.yaml")
        write(shots, crab.replace("splits:", "splits:\n  shots: [4611686018427387904]", 1)
              if "shots:" not in crab else replace_key(crab, "shots", "[4611686018427387904]"))
        self.case(family, "crab shots 2^62", self.crab_build_stores("--config", shots, "--out",
                                                                    self.path("crab_out")), "refuse", ["shots"])
        for text_index in range(self.mutations):
            target = self.path("config.yaml")
            write_bytes(target, flipped(base.encode(), self.rng, (1, 2, 4, 8)))
            self.case(family, "byte flips %d" % text_index, self.corag("config", "--config", target), "either",
                      [target])

    def family_outputs_onto_inputs(self):
        family = "outputs onto inputs"
        generate_input = self.path("own_input.jsonl")
        shutil.copy(self.reader_input, generate_input)
        self.case(family, "generate --out = --input", self.corag("generate", "--reader", self.reader, "--input",
                                                                  generate_input, "--out", generate_input),
                  "refuse", [generate_input], protect=[generate_input])
        queries = self.path("own_queries.jsonl")
        shutil.copy(self.queries, queries)
        self.case(family, "bm25 search --out = --queries",
                  self.corag("bm25", "search", "--index", self.bm25, "--queries", queries, "--out", queries),
                  "refuse", [queries], protect=[queries])
        self.case(family, "retrieve --out = --queries", self.retrieve_command(queries=queries, out=queries),
                  "refuse", [queries], protect=[queries])
        ids = self.path("ids.txt")
        with open(os.path.join(self.store, "docid")) as f:
            write(ids, "".join(f.readlines()[:3]))
        root = self.copy_dir(self.store, "root_store")
        self.case(family, "index compose --out = its root", self.corag("index", "compose", "--from", root, "--ids",
                                                                        ids, "--out", root),
                  "refuse", [root], protect=files_under(root))
        self.case(family, "index build --out inside the retriever",
                  self.corag("index", "build", "--retriever", self.retriever, "--passages", self.passages, "--out",
                             os.path.join(self.retriever, "store")), "refuse", [self.retriever],
                  protect=files_under(self.retriever))
        self.case(family, "bm25 build --out = an existing store", self.corag("bm25", "build", "--passages",
                                                                             self.passages, "--out", root),
                  "refuse", [root], protect=files_under(root))

    def family_records(self):
        family = "QA / passage / prediction records"
        gold = self.queries
        ids = [json.loads(line).get("id") for line in read(gold).decode().splitlines()]
        predictions = self.path("mixed_ids.jsonl")
        write(predictions, "".join(json.dumps({"id": i, "prediction": "x"} if k % 2 == 0 else {"prediction": "x"})
                                   + "\n" for k, i in enumerate(ids)))
        self.case(family, "predictions with ids on some lines", self.corag("eval", "--predictions", predictions,
                                                                           "--gold", gold), "refuse",
                  [predictions])
        ctxs = self.path("ctxs.jsonl")
        write(ctxs, json.dumps({"question": "q", "ctxs": [{"title": "t", "text": "x"}]}) + "\n")
        self.case(family, "reader input with ctxs", self.corag("generate", "--reader", self.reader, "--input", ctxs,
                                                               "--out", self.path("o.jsonl")), "refuse",
                  ["ctxs"])
        tsv = self.path("quoted.tsv")
        write(tsv, 'id\ttext\ttitle\n1\t"first line\nsecond line"\tT\n2\tplain\tU\n')
        self.case(family, "DPR TSV, a quoted newline (valid)", self.corag("data-check", "--corpus", tsv), "accept",
                  check=lambda out: None if "2" in out else "expected 2 passages: " + out[-300:])
        records = [
            ("QA line without question", '{"answers": ["a"]}\n'),
            ("QA answers not a list", '{"question": "q", "answers": "a"}\n'),
            ("QA invalid UTF-8", b'{"question": "\xff\xfe", "answers": ["a"]}\n'),
            ("QA NaN literal", '{"question": "q", "answers": [NaN]}\n'),
            ("QA 1 GB number", '{"question": "q", "answers": ["a"], "id": 1e999999}\n'),
            ("QA misspelt key", '{"question": "q", "answres": ["a"]}\n'),
        ]
        for name, text in records:
            target = self.path("records.jsonl")
            write_bytes(target, text if isinstance(text, bytes) else text.encode())
            self.case(family, name, self.corag("data-check", "--qa", target), "refuse", [target])
        duplicates = self.path("duplicate_ids.jsonl")
        write(duplicates, '{"id": "1", "question": "q", "answers": ["a"]}\n'
                          '{"id": "1", "question": "r", "answers": ["b"]}\n')
        self.case(family, "QA duplicate ids (data-check reports them)", self.corag("data-check", "--qa", duplicates),
                  "accept", check=lambda out: None if "1 duplicate ids" in out else "not reported: " + out[-200:])
        one = self.path("one_prediction.jsonl")
        write(one, '{"id": "1", "prediction": "a"}\n')
        self.case(family, "gold with duplicate ids (eval)", self.corag("eval", "--predictions", one, "--gold",
                                                                       duplicates), "refuse", [duplicates])
        latin1 = self.path("latin1.tsv")
        write_bytes(latin1, b"id\ttext\ttitle\n1\tcaf\xe9\tT\n")
        self.case(family, "DPR TSV in Latin-1", self.corag("data-check", "--corpus", latin1), "refuse", [latin1])
        self.mutate_files(family, "qa", os.path.dirname(self.queries), [os.path.basename(self.queries)],
                          lambda copy: self.corag("data-check", "--qa",
                                                  os.path.join(copy, os.path.basename(self.queries))))

    def family_trec(self):
        family = "TREC runs"
        ids = [line.strip() for line in open(os.path.join(self.store, "docid"))][:4]
        qids = [json.loads(line).get("id") for line in read(self.queries).decode().splitlines()]
        run_lines = ["%s Q0 %s %d %f x\n" % (qid, pid, rank + 1, 10 - rank) for qid in qids
                     for rank, pid in enumerate(ids)]
        cases = [
            ("a passage at two ranks", run_lines + ["%s Q0 %s 9 1.0 x\n" % (qids[0], ids[0])], ["twice", ids[0]]),
            ("an unknown passage", run_lines + ["%s Q0 nowhere 9 1.0 x\n" % qids[0]], ["nowhere"]),
            ("a rank of -1", ["%s Q0 %s -1 1.0 x\n" % (qids[0], ids[0])], []),
            ("five columns", ["%s Q0 %s 1 1.0\n" % (qids[0], ids[0])], []),
            ("a score of nan", ["%s Q0 %s 1 nan x\n" % (qids[0], ids[0])], []),
        ]
        crab = read(self.crab_config).decode()
        for name, lines, names in cases:
            run_file = self.path("run.trec")
            write(run_file, "".join(lines))
            config = self.path("crab_trec.yaml")
            write(config, set_bm25_run(crab, run_file))
            self.case(family, name, self.crab_build_stores("--config", config, "--out", self.path("crab_trec_out")),
                      "refuse", names or [run_file])
            shutil.rmtree(self.path("crab_trec_out"), ignore_errors=True)

    def family_run_state(self):
        family = "run state and resume"
        stopped = os.path.join(self.work, "stopped_run")
        if not os.path.exists(os.path.join(stopped, "config.resolved.yaml")):
            self.must(self.corag("train", "--config", self.train_config, "--out", stopped, "--stop-after", "1",
                                 "--set", "train.keep_checkpoints=1"))
        checkpoints = sorted(os.listdir(os.path.join(stopped, "checkpoints")))
        state_rel = os.path.join("checkpoints", checkpoints[-1], "state", "state.json")

        def edited(name, edit):
            copy = self.copy_dir(stopped, name)
            edit(copy)
            return copy

        def edit_state(key, value):
            def apply(copy):
                state_file = os.path.join(copy, state_rel)
                state = json.loads(read(state_file))
                state[key] = value
                write(state_file, json.dumps(state))
            return apply

        state = json.loads(read(os.path.join(stopped, state_rel)))
        resume = lambda copy: self.corag("train", "--config", self.train_config, "--out", copy, "--resume")
        for key, value in (("round", 10 ** 6), ("sequence", 0), ("metrics_lines", 2), ("mode", "local"),
                           ("config_hash", "0000000000000000")):
            if key in state:
                copy = edited("state_" + key, edit_state(key, value))
                self.case(family, "state.json %s %s" % (key, value), resume(copy), "refuse", ["state.json"])
        truncated = edited("metrics_truncated", lambda copy: truncate_lines(os.path.join(copy, "metrics.jsonl")))
        self.case(family, "metrics.jsonl truncated before --resume", resume(truncated), "refuse", ["metrics.jsonl"])
        deleted = edited("metrics_deleted", lambda copy: os.remove(os.path.join(copy, "metrics.jsonl")))
        self.case(family, "metrics.jsonl deleted before --resume", resume(deleted), "refuse", ["metrics.jsonl"])
        damaged = edited("state_flipped", lambda copy: write_bytes(
            os.path.join(copy, state_rel), flipped(read(os.path.join(copy, state_rel)), self.rng, (4,))))
        self.case(family, "state.json byte flips", resume(damaged), "either", ["state.json"])
        resumed = edited("resumed", lambda copy: None)
        self.case(family, "resume past the next checkpoint (keep_checkpoints 1)", resume(resumed), "accept",
                  check=lambda out: None if os.path.exists(os.path.join(resumed, "summary.json"))
                  else "no summary.json", timeout=1800)
        other = self.copy_dir(stopped, "other_run")
        self.case(family, "a second run into a finished run's folder",
                  self.corag("train", "--config", self.train_config, "--out", other), "refuse", [other],
                  protect=files_under(other))

    def family_concurrent(self):
        family = "concurrent writers"
        argv_for = {
            "index build": lambda out: self.corag("index", "build", "--retriever", self.retriever, "--passages",
                                                  self.passages, "--out", out),
            "bm25 build": lambda out: self.corag("bm25", "build", "--passages", self.passages, "--out", out),
            "train": lambda out: self.corag("train", "--config", self.train_config, "--out", out),
        }
        for name, argv in argv_for.items():
            out = self.path("locked_" + name.replace(" ", "_"))
            os.makedirs(out)
            # Another process holds the folder's lock (as a running corag would, by fcntl).
            with open(os.path.join(out, ".corag.lock"), "a") as lock:
                fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.case(family, name + " into a folder another process writes", argv(out), "refuse", [out])
            if name != "train":  # once the lock is free, the same command goes through
                self.case(family, name + " once the lock is released", argv(out), "accept")

    # --- report ----------------------------------------------------------------------------
    def report(self, list_all):
        print("| family | cases | " + " | ".join(COLUMNS) + " |")
        print("| --- | ---: |" + " ---: |" * len(COLUMNS))
        totals = [0] * (len(COLUMNS) + 1)
        bad = []
        for family, cases in self.results.items():
            counts = [sum(1 for _, outcome, _ in cases if outcome == column) for column in COLUMNS]
            row = [len(cases)] + counts
            totals = [a + b for a, b in zip(totals, row)]
            print("| %s | %s |" % (family, " | ".join(str(n) for n in row)))
            bad += [(family, name, outcome, detail) for name, outcome, detail in cases
                    if list_all or outcome not in ("clean error", "accepted")]
        print("| **all** | %s |" % " | ".join(str(n) for n in totals))
        for family, name, outcome, detail in bad:
            print("- %s / %s: **%s** %s" % (family, name, outcome, detail))
        return 1 if any(outcome not in ("clean error", "accepted") for _, _, outcome, _ in bad) else 0


FAMILIES = {
    "deep-json": Probe.family_deep_json,
    "bm25": Probe.family_bm25,
    "faiss": Probe.family_faiss,
    "safetensors": Probe.family_safetensors,
    "hf-config": Probe.family_hf_config,
    "yaml": Probe.family_yaml,
    "outputs": Probe.family_outputs_onto_inputs,
    "records": Probe.family_records,
    "trec": Probe.family_trec,
    "run-state": Probe.family_run_state,
    "concurrent": Probe.family_concurrent,
}


def tail(text, lines=3):
    return " / ".join(text.strip().splitlines()[-lines:])[:400]


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, text):
    write_bytes(path, text.encode())


def write_bytes(path, data):
    with open(path, "wb") as f:
        f.write(data)


def digest(path):
    try:
        if os.path.isdir(path):
            return "dir"
        return hashlib.sha256(read(path)).hexdigest()
    except FileNotFoundError:
        return None


def files_under(folder):
    return [os.path.join(root, name) for root, _, names in os.walk(folder) for name in names
            if name != ".corag.lock"]


def flipped(original, rng, counts):
    """`original` with a count (drawn from `counts`) of bytes set to random values."""
    data = bytearray(original)
    for _ in range(rng.choice(counts)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return bytes(data)


def truncate_lines(path):
    lines = read(path).splitlines(keepends=True)
    write_bytes(path, b"".join(lines[:max(len(lines) - 1, 0)]))


def safetensors_bytes(tensors, data_size):
    header = {name: {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + 4 * max(1, shape[0])]}
              for name, (dtype, shape, offset) in tensors.items()}
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + b"\0" * data_size


def widen_to_i64(data):
    """The same F32 tensors, shapes and names stored as I64 (each 4-byte element zero-extended)."""
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    body = data[8 + size:]
    out, at = [], 0
    for name, entry in sorted(((k, v) for k, v in header.items() if k != "__metadata__"),
                              key=lambda item: item[1]["data_offsets"][0]):
        begin, end = entry["data_offsets"]
        widened = b"".join(body[i:i + 4] + b"\0\0\0\0" for i in range(begin, end, 4))
        entry["dtype"] = "I64"
        entry["data_offsets"] = [at, at + len(widened)]
        out.append(widened)
        at += len(widened)
    encoded = json.dumps(header).encode()
    return struct.pack("<Q", len(encoded)) + encoded + b"".join(out)


def fnv1a_hex(data):
    """64-bit FNV-1a as 16 hex digits: the index checksum meta.json records (corag's file_checksum)."""
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % value


def replace_key(text, key, value):
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.strip().startswith(key + ":"):
            lines[index] = line[:line.index(key)] + key + ": " + value
    return "\n".join(lines) + "\n"


def set_bm25_run(crab_yaml, run_file):
    lines = crab_yaml.splitlines()
    out = []
    for line in lines:
        out.append(line)
        if line.rstrip() == "bm25:":
            out.append("  run: " + run_file)
    return "\n".join(line for line in out if not (line.strip().startswith("run:") and run_file not in line)) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    here = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--bin", default=os.path.join(os.environ.get("CORAG_BUILD_DIR",
                                                                     os.path.join(here, "..", "build")), "bin"))
    parser.add_argument("--mutations", type=int, default=12, help="byte-flip variants per mutated file")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a case counts as a hang")
    parser.add_argument("--only", default="", help="comma-separated families: " + ",".join(FAMILIES))
    parser.add_argument("--list", action="store_true", help="list every case's outcome, not only the bad ones")
    parser.add_argument("work_dir")
    args = parser.parse_args()
    probe = Probe(args)
    probe.prepare()
    names = args.only.split(",") if args.only else list(FAMILIES)
    for name in names:
        if name not in FAMILIES:
            sys.exit("hostile_probe: unknown family %s (known: %s)" % (name, ", ".join(FAMILIES)))
        started = time.monotonic()
        FAMILIES[name](probe)
        print("hostile_probe: %s done in %.0f s" % (name, time.monotonic() - started), file=sys.stderr, flush=True)
    sys.exit(probe.report(args.list))


if __name__ == "__main__":
    main()
