#!/usr/bin/python3
"""Figures of corag runs, drawn headless with Debian's python3-matplotlib (Agg): a PNG and an SVG
each, with the SHA-256 of the data file they were drawn from in the PNG's `Source` text chunk.

  plot_report.py shots REPORT.json OUT     figure 1: EM by shots, a line per regime, seeds' std as
                                           error bars (REPORT: corag report --table 3 --format json)
  plot_report.py clients REPORT.json OUT   figure 2: collaborative - local per client
                                           (REPORT: corag report --table 6 --format json)
  plot_report.py composition REPORT.json OUT
                                           the store-composition curve: local EM by X, the % of
                                           REL's non-relevant passages kept beside its relevant
                                           ones (REL 100, only-relevant 0), a line per eval store,
                                           the empty train store dashed
                                           (REPORT: corag report --table 5 --format json)
  plot_report.py curves RUN_DIR OUT        a run's learning curve: test EM per round or step, a line
                                           per client and their average (RUN_DIR/metrics.jsonl)
  plot_report.py retrieval RUN_DIR OUT     what a retrieval run retrieved at each eval point, client
                                           average: relevant / hard negative / irrelevant shares and
                                           answer recall@k (RUN_DIR/metrics.jsonl)

OUT is a path without extension: OUT.png and OUT.svg are written.
"""
import hashlib
import json
import os
import re
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

REGIMES = ["closed-book", "local", "centralized", "collaborative"]


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def save(figure, out, source):
    figure.tight_layout()
    figure.savefig(out + ".png", dpi=120, metadata={"Source": sha256(source)})
    figure.savefig(out + ".svg")
    plt.close(figure)


def shots(report_file, out):
    with open(report_file) as f:
        report = json.load(f)
    rows = report["rows"]
    labels = [row["row"] for row in rows]
    figure, axes = plt.subplots(figsize=(5, 3.5))
    for regime in [r for r in REGIMES if r in report["columns"]]:
        xs, ys, errors = [], [], []
        for i, row in enumerate(rows):
            cell = row["cells"].get(regime)
            if cell:
                xs.append(i)
                ys.append(cell["em_mean"])
                errors.append(cell["em_std"])
        axes.errorbar(xs, ys, yerr=errors, marker="o", capsize=3, label=regime)
    axes.set_xticks(range(len(labels)), labels)
    axes.set_xlabel(", ".join(report["row_keys"]) or "setting")
    axes.set_ylabel("test EM (%)")
    axes.set_title("EM by shots per regime")
    axes.legend(fontsize="small")
    save(figure, out, report_file)


def clients(report_file, out):
    with open(report_file) as f:
        report = json.load(f)
    rows = [row for row in report["rows"] if "collaborative_minus_local" in row]
    if not rows:
        sys.exit(f"error: {report_file}: no row has both local and collaborative runs")
    figure, axes = plt.subplots(figsize=(5, 3.5))
    gains = [row["collaborative_minus_local"] for row in rows]
    axes.bar(range(len(rows)), gains, color=["tab:green" if g >= 0 else "tab:red" for g in gains])
    axes.set_xticks(range(len(rows)), [row["row"] for row in rows], rotation=30, ha="right")
    axes.axhline(0, color="black", linewidth=0.8)
    axes.set_ylabel("collaborative - local (EM points)")
    axes.set_title("Gain of collaborative training per client")
    save(figure, out, report_file)


def composition_percent(variant):
    """X of "relevant + X % of the rest" for a train store, None for stores off the curve."""
    if variant == "REL":
        return 100
    if variant == "ablations/only-relevant":
        return 0
    match = re.fullmatch(r"ablations/relevant-plus-(\d+)", variant)
    return int(match.group(1)) if match else None


def composition(report_file, out):
    with open(report_file) as f:
        report = json.load(f)
    keys = report["row_keys"]
    if "store.variant" not in keys or "local" not in report["columns"]:
        sys.exit(f"error: {report_file}: not a table of local runs by store.variant (corag report --table 5)")
    variant_at = keys.index("store.variant")
    train_at = keys.index("eval.include_train_store") if "eval.include_train_store" in keys else None
    curves, empty = {}, {}
    for row in report["rows"]:
        values = row["row"].split(", ")
        cell = row["cells"].get("local")
        if cell is None:
            continue
        store = "test + train stores" if train_at is not None and values[train_at] == "true" else "test store"
        if values[variant_at] == "ablations/empty":
            empty[store] = cell["em_mean"]
        percent = composition_percent(values[variant_at])
        if percent is not None:
            curves.setdefault(store, []).append((percent, cell["em_mean"], cell["em_std"]))
    if not curves:
        sys.exit(f"error: {report_file}: no REL, only-relevant or relevant-plus-X row")
    figure, axes = plt.subplots(figsize=(5, 3.5))
    for store, points in sorted(curves.items()):
        points.sort()
        line = axes.errorbar([p[0] for p in points], [p[1] for p in points], yerr=[p[2] for p in points],
                             marker="o", capsize=3, label=f"{store}")
        if store in empty:
            axes.axhline(empty[store], linestyle="--", linewidth=0.8, color=line[0].get_color(),
                         label=f"{store}, no train store")
    axes.set_xlabel("% of REL's other passages kept beside its relevant ones")
    axes.set_ylabel("test EM (%), local RAG")
    axes.set_title("Train store composition")
    axes.legend(fontsize="small")
    save(figure, out, report_file)


def records(run_dir):
    path = os.path.join(run_dir, "metrics.jsonl")
    with open(path) as f:
        lines = [json.loads(line) for line in f if line.strip()]
    tests = [line for line in lines if line.get("split") == "test"]
    if not tests:
        sys.exit(f"error: {path}: no test evaluations")
    key = "round" if "round" in tests[0] else "step"
    return path, key, tests


def curves(run_dir, out):
    path, key, tests = records(run_dir)
    figure, axes = plt.subplots(figsize=(5, 3.5))
    by_client = {}
    for line in tests:
        by_client.setdefault(line["client"], []).append((line[key], line["em"]))
    points = sorted({line[key] for line in tests})
    for client, values in sorted(by_client.items()):
        values.sort()
        axes.plot([v[0] for v in values], [v[1] for v in values], marker=".", alpha=0.6, label=f"client {client}")
    average = [sum(line["em"] for line in tests if line[key] == p) / sum(1 for line in tests if line[key] == p)
               for p in points]
    axes.plot(points, average, color="black", linewidth=2, label="client average")
    axes.set_xlabel(key)
    axes.set_ylabel("test EM (%)")
    axes.set_title(os.path.basename(os.path.normpath(run_dir)))
    axes.legend(fontsize="small")
    save(figure, out, path)


def retrieval(run_dir, out):
    path, key, tests = records(run_dir)
    shares = ["retrieved_relevant", "retrieved_hard_negative", "retrieved_irrelevant"]
    if not all(field in tests[0] for field in shares):
        sys.exit(f"error: {path}: no retrieval diagnostics (a closed-book run, or one from before them)")
    points = sorted({line[key] for line in tests})
    mean = {field: [sum(line[field] for line in tests if line[key] == p) / sum(1 for line in tests if line[key] == p)
                    for p in points] for field in shares + ["answer_recall"]}
    figure, axes = plt.subplots(figsize=(5, 3.5))
    bottom = [0.0] * len(points)
    for field, colour in zip(shares, ["tab:green", "tab:orange", "tab:gray"]):
        axes.bar([str(p) for p in points], mean[field], bottom=bottom, color=colour, label=field[len("retrieved_"):])
        bottom = [b + v for b, v in zip(bottom, mean[field])]
    axes.plot([str(p) for p in points], mean["answer_recall"], color="black", marker="o", label="answer recall@k")
    axes.set_xlabel(key)
    axes.set_ylabel("% of retrieved passages / questions")
    axes.set_title("What was retrieved (client average)")
    axes.legend(fontsize="small")
    save(figure, out, path)


def main(argv):
    figures = {"shots": shots, "clients": clients, "composition": composition, "curves": curves,
               "retrieval": retrieval}
    if len(argv) != 3 or argv[0] not in figures:
        sys.exit(__doc__)
    figures[argv[0]](argv[1], argv[2])


if __name__ == "__main__":
    main(sys.argv[1:])
