"""Benchmark: the whole workflow's full build, no-op rebuild and one-cell rebuild.

Copies the workflow and its committed inputs to a temporary directory, then times
`snakemake --cores 4` (all targets of `rule all`): a full build from nothing, a rebuild with
nothing to do, and a rebuild after one cell of the extraction workbook changed. Goals (issue 2):
full build < 15 s, no-op < 3 s on the 2-core machine. Prints the figures and writes them to
results/benchmarks/build.md; never fails on time.

    .venv/bin/python benchmarks/build.py [--repeat 3] [--cores 4]
"""

from __future__ import annotations

import argparse
import csv
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_PARTS = ["Snakefile", "workflow", "scripts", "config", "extraction", "resources", "envs"]
GOALS = {"full build": 15.0, "no-op rebuild": 3.0}


def copy_workflow(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for part in WORKFLOW_PARTS:
        src = REPO / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


def snakemake(workdir: Path, cores: int) -> float:
    """Seconds of one `snakemake --cores N` run in `workdir` (fails loudly if snakemake fails)."""
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--directory", str(workdir)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=workdir, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"snakemake failed in {workdir}:\n{proc.stdout}\n{proc.stderr}")
    return elapsed


def change_one_cell(workdir: Path, round_: int) -> None:
    path = workdir / "extraction" / "cases.xlsx"
    book = load_workbook(path)
    book["cases"]["F2"] = 37 + round_ % 2 + 1  # age of the first patient: 38, 39, 38, ...
    book.save(path)


def rule_seconds(workdir: Path) -> dict[str, float]:
    """Per-rule wall time of the last run from results/benchmarks/<rule>.tsv."""
    times = {}
    for path in sorted((workdir / "results" / "benchmarks").glob("*.tsv")):
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if rows:
            times[path.stem] = float(rows[-1]["s"])
    return times


def summary(values: list[float]) -> str:
    return (
        f"median {statistics.median(values):.2f} s (min {min(values):.2f}, max {max(values):.2f}, "
        f"n={len(values)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cores", type=int, default=4)
    parser.add_argument("--out", type=Path, default=REPO / "results" / "benchmarks" / "build.md")
    args = parser.parse_args(argv)

    timings: dict[str, list[float]] = {
        "full build": [],
        "no-op rebuild": [],
        "one-cell rebuild": [],
    }
    rules: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="reviewflow-bench-") as tmp:
        for round_ in range(args.repeat):
            workdir = copy_workflow(Path(tmp) / f"run{round_}")
            timings["full build"].append(snakemake(workdir, args.cores))
            rules = rule_seconds(workdir)
            timings["no-op rebuild"].append(snakemake(workdir, args.cores))
            change_one_cell(workdir, round_)
            timings["one-cell rebuild"].append(snakemake(workdir, args.cores))

    lines = [
        "# Build benchmark",
        "",
        f"`snakemake --cores {args.cores}` over all targets of `rule all`, in a temporary copy of "
        "the workflow and its committed inputs (benchmarks/build.py).",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
        f", {time.strftime('%Y-%m-%d %H:%M')}.",
        "",
        "| run | time | goal |",
        "|---|---|---|",
    ]
    for name, values in timings.items():
        goal = GOALS.get(name)
        verdict = ""
        if goal is not None:
            verdict = f"< {goal:g} s: " + ("met" if statistics.median(values) < goal else "NOT met")
        lines.append(f"| {name} | {summary(values)} | {verdict} |")
    lines += ["", "Per-rule wall time in the last full build (results/benchmarks/<rule>.tsv):", ""]
    lines += [f"- {rule}: {seconds:.2f} s" for rule, seconds in rules.items()]
    text = "\n".join(lines) + "\n"
    print(text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
