#!/usr/bin/python3
"""Figures of corag runs, drawn headless with Debian's python3-matplotlib (Agg): a PNG and an SVG
each, with the SHA-256 of the data file they were drawn from in the PNG's `Source` text chunk.

  plot_report.py shots REPORT.json OUT     figure 1: EM by shots, a line per regime, seeds' std as
                                           error bars (REPORT: corag report --table 3 --format json)
  plot_report.py clients REPORT.json OUT   figure 2: collaborative - local per client
                                           (REPORT: corag report --table 6 --format json)
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
    figures = {"shots": shots, "clients": clients, "curves": curves, "retrieval": retrieval}
    if len(argv) != 3 or argv[0] not in figures:
        sys.exit(__doc__)
    figures[argv[0]](argv[1], argv[2])


if __name__ == "__main__":
    main(sys.argv[1:])
