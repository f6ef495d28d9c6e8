#!/usr/bin/env python3
"""Checks an output tree left by a killed or rerun corag command (scripts/kill_harness.sh).

  check_tree.py DIR                      no partial file under a final name
  check_tree.py DIR REFERENCE            ... and DIR equals REFERENCE (timings aside), no temporary
  check_tree.py --killed DIR REFERENCE   ... a killed tree: temporaries allowed; every file it
                                         shares with REFERENCE agrees with it (binary files equal,
                                         JSONL and CSV a prefix of the reference's lines)

Every .json must parse, every .jsonl line parse, every .safetensors hold all the bytes its header
promises, every TensorBoard event file be whole TFRecords with valid CRC-32C. A killed run's event
file (rewritten whole at each checkpoint) must hold only events of the reference's. Prints one line
per problem; exits 1 if there is any.
"""
import collections
import json
import os
import struct
import sys

TIMING = {"wall_s", "seconds", "elapsed_s", "reused", "aggregation_s"}


def strip(value):
    if isinstance(value, dict):
        return {k: strip(v) for k, v in value.items() if k not in TIMING}
    if isinstance(value, list):
        return [strip(v) for v in value]
    return value


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked_crc(data):
    crc = crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def tf_records(data):
    """The records of a TFRecord file (u64 length, masked CRC of it, data, masked CRC of that)."""
    records, at = [], 0
    while at < len(data):
        assert len(data) - at >= 12, "a record header cut short"
        (length,) = struct.unpack_from("<Q", data, at)
        assert struct.unpack_from("<I", data, at + 8)[0] == masked_crc(data[at:at + 8]), "a bad length CRC"
        body = data[at + 12:at + 12 + length]
        assert len(body) == length and len(data) >= at + 16 + length, "a record cut short"
        assert struct.unpack_from("<I", data, at + 12 + length)[0] == masked_crc(body), "a bad data CRC"
        records.append(body)
        at += 16 + length
    return records


def load(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".json"):
        return strip(json.loads(data))
    if path.endswith(".jsonl"):
        return [strip(json.loads(line)) for line in data.splitlines() if line.strip()]
    if path.endswith(".csv"):  # appended line by line, as .jsonl
        return data.splitlines()
    if ".tfevents." in os.path.basename(path):
        return tf_records(data)
    if path.endswith(".safetensors"):
        (size,) = struct.unpack("<Q", data[:8])
        header = json.loads(data[8:8 + size])
        ends = [v["data_offsets"][1] for k, v in header.items() if k != "__metadata__"]
        assert 8 + size + max(ends + [0]) == len(data), "truncated tensors"
    return data


def tree(root):
    files = {}
    for folder, _, names in os.walk(root):
        rel = os.path.relpath(folder, root)
        if rel.split(os.sep)[0] == "logs":
            continue
        for name in names:
            # Logs and the run card record invocations (times, command lines), not results.
            if name in (".corag.lock", "run_card.json") or name.endswith(".log"):
                continue
            files[os.path.normpath(os.path.join(rel, name))] = os.path.join(folder, name)
    return files


def is_temporary(rel):
    return any(part.startswith(".") and ".tmp" in part for part in rel.split(os.sep))


def main(argv):
    killed = argv[:1] == ["--killed"]
    if killed:
        argv = argv[1:]
    problems = []
    files = tree(argv[0])
    loaded = {}
    for rel, path in files.items():
        if is_temporary(rel):
            if not killed:
                problems.append(f"temporary left: {rel}")
            continue
        try:
            loaded[rel] = load(path)
        except Exception as error:
            problems.append(f"partial or broken file under its final name: {rel} ({error})")
    if len(argv) > 1:
        reference = {rel: path for rel, path in tree(argv[1]).items() if not is_temporary(rel)}
        if not killed:
            for rel in sorted(set(loaded) ^ set(reference)):
                problems.append(f"only in {'the rerun' if rel in loaded else 'the reference'}: {rel}")
        for rel in sorted(set(loaded) & set(reference)):
            mine, theirs = loaded[rel], load(reference[rel])
            if killed and rel.endswith(".json"):
                continue  # rewritten as the run goes on; parsing is the check
            if killed and (rel.endswith(".jsonl") or rel.endswith(".csv")):
                agrees = mine == theirs[: len(mine)]
            elif killed and ".tfevents." in os.path.basename(rel):
                agrees = not collections.Counter(mine) - collections.Counter(theirs)
            else:
                agrees = mine == theirs
            if not agrees:
                problems.append(f"differs from the uninterrupted run: {rel}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
