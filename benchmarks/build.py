"""Benchmark: the whole workflow's builds, side by side with a baseline commit (issue 21).

Copies the workflow and its committed inputs (the first review's published versions included:
What's new compares each build with the last one) to a temporary directory, and the same files of a
baseline commit (a temporary `git clone` of this repository checked out at `--baseline`), then
runs `snakemake --cores N` (all targets of `rule all`) in both, alternately, with the same
virtual environment's packages (each run imports its own copy's `scripts/reviewflow` through
PYTHONPATH):

- full: a build from nothing; no-op: a rebuild with nothing to do; one-cell: a rebuild after one
  cell of the extraction workbook changed;
- check: `reviewflow check DIR` on the built review ("n/a" where the command does not exist);
- x10, x40: full builds of the first review replicated 10 and 40 times (every row of both
  workbook sheets copied under new ids; config/first_version.yaml's counts scaled with them, so
  that the PRISMA checks still hold; no published version).

Each run reports its wall time, its CPU time (user + system of snakemake and every process it
waited for, from os.wait4) and its peak memory (the largest sum of the resident set sizes of the
whole process tree, sampled every 0.1 s with psutil). Quote ratios of one run, not seconds: the
machine may be shared.

Python runs with its default bytecode cache, warm, as on a reviewer's machine after its first
build: each copy's library is compiled (compileall, not timed) before its runs, so that the full
build measures the build, not a fresh clone's one-off compilation. A calling shell that sets
PYTHONDONTWRITEBYTECODE (as this machine's shell does) would make every process of every build
compile the modules it imports again; `--no-bytecode-cache` measures that way.

Prints the table and writes it to results/benchmarks/build.md; never fails on time.

    .venv/bin/python benchmarks/build.py [--baseline ac6f931] [--repeat 1] [--cores 2]
        [--scales 10 40] [--no-baseline] [--no-bytecode-cache]
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
from dataclasses import dataclass
from pathlib import Path

import psutil
import yaml
from openpyxl import load_workbook

REPO = Path(__file__).resolve().parents[1]
WORKFLOW_PARTS = ["Snakefile", "workflow", "scripts", "config", "extraction", "resources", "envs"]
# The first review's published versions (What's new compares a build with the last one); not in
# the replicated reviews, whose patients no published version has.
VERSIONS = "versions"
RUNS = ["full", "one-cell", "no-op", "check"]


@dataclass
class Usage:
    """One command's wall seconds, CPU seconds, peak memory (MB) of its process tree (sampled)
    and the largest resident set of any one of its processes (MB, from os.wait4)."""

    wall: float
    cpu: float
    peak_mb: float
    process_mb: float = 0.0


def copy_workflow(dest: Path, source: Path = REPO, versions: bool = True) -> Path:
    """The workflow and its committed inputs of `source` (a checkout) copied to `dest`, with its
    published versions unless `versions` is False."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for part in [*WORKFLOW_PARTS, *([VERSIONS] if versions else [])]:
        src = source / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=ignore)
        elif src.exists():
            shutil.copy2(src, dest / part)
    return dest


def checkout(commit: str, dest: Path) -> Path:
    """A temporary clone of this repository at `commit` (committed files only)."""
    subprocess.run(["git", "clone", "-q", "--no-checkout", str(REPO), str(dest)], check=True)
    subprocess.run(["git", "-C", str(dest), "checkout", "-q", commit], check=True)
    return dest


BYTECODE_CACHE = [True]  # False with --no-bytecode-cache


def run_env(workdir: Path) -> dict[str, str]:
    """The environment of a run in `workdir`: the copy's library first on the path, and Python's
    bytecode cache on (PYTHONDONTWRITEBYTECODE dropped) unless --no-bytecode-cache."""
    env = {**os.environ, "PYTHONPATH": str(workdir / "scripts")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not BYTECODE_CACHE[0]:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def bytecode_cache_words() -> str:
    """How the runs used Python's bytecode cache, for the report."""
    if BYTECODE_CACHE[0]:
        return "on, warm (each copy's library compiled before its runs)"
    return "off (PYTHONDONTWRITEBYTECODE=1: every process compiles the copy's modules)"


def warm_bytecode(workdir: Path) -> None:
    """Compile the copy's library and workflow helpers (when the bytecode cache is on), as its
    first build would have: the runs then measure builds, not a one-off compilation."""
    if BYTECODE_CACHE[0]:
        folders = [
            str(workdir / part) for part in ("scripts", "workflow") if (workdir / part).is_dir()
        ]
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", *folders], check=True, env=run_env(workdir)
        )


def measure(cmd: list[str], workdir: Path, log: Path, check: bool = True) -> Usage | None:
    """Run `cmd` in `workdir` (run_env); its usage, or None when it failed and `check` is False
    (exits with the log's tail when it failed and `check`)."""
    env = run_env(workdir)
    start, peak = time.perf_counter(), 0
    with log.open("w") as out:
        proc = psutil.Popen(cmd, cwd=workdir, stdout=out, stderr=subprocess.STDOUT, env=env)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak = max(peak, tree_rss(proc))
            time.sleep(0.1)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        if not check:
            return None
        sys.exit(f"{' '.join(cmd)} failed in {workdir}:\n{log.read_text()[-5000:]}")
    return Usage(wall, usage.ru_utime + usage.ru_stime, peak / 2**20, usage.ru_maxrss / 2**10)


def tree_rss(proc: psutil.Process) -> int:
    """Resident bytes of a process and all its descendants now."""
    total = 0
    try:
        for member in [proc, *proc.children(recursive=True)]:
            try:
                total += member.memory_info().rss
            except psutil.Error:
                pass
    except psutil.Error:
        pass
    return total


def snakemake(workdir: Path, cores: int, log: Path) -> Usage:
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--directory", str(workdir)]
    return measure(cmd, workdir, log)


def has_check(workdir: Path) -> bool:
    """Whether this copy's `reviewflow` has a `check` command."""
    code = (
        "from reviewflow.cli import build_parser; p = build_parser(); "
        "a = [x for x in p._actions if x.dest == 'command'][0]; "
        "raise SystemExit(0 if 'check' in a.choices else 1)"
    )
    return (
        subprocess.run([sys.executable, "-c", code], cwd=workdir, env=run_env(workdir)).returncode
        == 0
    )


def reviewflow_check(workdir: Path, log: Path) -> Usage | None:
    if not has_check(workdir):
        return None
    cmd = [sys.executable, "-m", "reviewflow.cli", "check", str(workdir)]
    usage = measure(cmd, workdir, log, check=False)
    if usage is None:
        print(f"reviewflow check failed in {workdir} (see {log}); not counted", file=sys.stderr)
    return usage


def change_one_cell(workdir: Path, round_: int) -> None:
    path = workdir / "extraction" / "cases.xlsx"
    book = load_workbook(path)
    book["cases"]["F2"] = 37 + round_ % 2 + 1  # age of the first patient: 38, 39, 38, ...
    book.save(path)


def replicate(workdir: Path, times: int) -> None:
    """The first review's patients and studies `times` times over: copy r (r >= 1) of C07 is
    C<r:02d>07, of S12 S<r:02d>12; the first version's counts scaled alike."""
    path = workdir / "extraction" / "cases.xlsx"
    book = load_workbook(path)
    ids = {"cases": ("case_id", "C"), "studies": ("study_id", "S")}
    for sheet, (id_column, prefix) in ids.items():
        ws = book[sheet]
        header = [cell.value for cell in ws[1]]
        rows = [[cell.value for cell in row] for row in ws.iter_rows(min_row=2)]
        rows = [row for row in rows if any(value is not None for value in row)]
        for copy in range(1, times):
            for row in rows:
                new = list(row)
                for column, pre in {id_column: prefix, "study_id": "S"}.items():
                    if column in header and new[header.index(column)]:
                        index = header.index(column)
                        new[index] = f"{pre}{copy:02d}{str(new[index])[1:]}"
                ws.append(new)
    book.save(path)
    first_path = workdir / "config" / "first_version.yaml"
    first = yaml.safe_load(first_path.read_text(encoding="utf-8"))
    first_path.write_text(yaml.safe_dump(scale_counts(first, times)), encoding="utf-8")


def scale_counts(data, times: int):
    """Every whole number in the first version's counts times `times` (not dates or text)."""
    if isinstance(data, dict):
        return {key: scale_counts(value, times) for key, value in data.items()}
    if isinstance(data, list):
        return [scale_counts(value, times) for value in data]
    if isinstance(data, int) and not isinstance(data, bool):
        return data * times
    return data


def rule_seconds(workdir: Path) -> dict[str, float]:
    """Per-rule wall time of the last run from results/benchmarks/**/<rule>.tsv."""
    times = {}
    folder = workdir / "results" / "benchmarks"
    for path in sorted(folder.rglob("*.tsv")):
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        if rows:
            times[str(path.relative_to(folder).with_suffix(""))] = float(rows[-1]["s"])
    return times


def cell(values: list[Usage]) -> str:
    """Median wall / CPU / peak of the repeats."""
    if not values:
        return "n/a"
    wall = statistics.median(u.wall for u in values)
    cpu = statistics.median(u.cpu for u in values)
    peak = statistics.median(u.peak_mb for u in values)
    process = statistics.median(u.process_mb for u in values)
    return f"{wall:.1f} s / {cpu:.1f} s / {peak:.0f} MB ({process:.0f})"


def ratio(new: list[Usage], old: list[Usage], attr: str) -> str:
    if not new or not old:
        return "n/a"
    a = statistics.median(getattr(u, attr) for u in new)
    b = statistics.median(getattr(u, attr) for u in old)
    return f"{a / b:.2f}" if b else "n/a"


def run_round(tmp: Path, sources: dict[str, Path], round_: int, args, results, rules, done) -> None:
    """One round of every run, each run type for every copy in turn (so that a changing load
    falls on both alike); the order of the copies alternates between rounds. `done()` after
    each run type (the table so far is written)."""
    logs = tmp / "logs"
    logs.mkdir(exist_ok=True)
    labels = list(sources) if round_ % 2 == 0 else list(sources)[::-1]
    work = {}
    if not args.scales_only:
        work = {
            label: copy_workflow(tmp / f"{n}-{round_}", sources[label])
            for n, label in enumerate(labels)
        }
        for workdir in work.values():
            warm_bytecode(workdir)
    stem = {label: logs / f"{n}-{round_}" for n, label in enumerate(labels)}
    for label in work:
        results[label]["full"].append(
            snakemake(work[label], args.cores, Path(f"{stem[label]}-full.log"))
        )
        rules[label] = rule_seconds(work[label])
    done()
    for label in work:
        results[label]["no-op"].append(
            snakemake(work[label], args.cores, Path(f"{stem[label]}-noop.log"))
        )
    for label in work:
        check = reviewflow_check(work[label], Path(f"{stem[label]}-check.log"))
        if check is not None:
            results[label]["check"].append(check)
    for label in work:
        change_one_cell(work[label], round_)
        results[label]["one-cell"].append(
            snakemake(work[label], args.cores, Path(f"{stem[label]}-cell.log"))
        )
        shutil.rmtree(work[label])
    done()
    for times in args.scales:
        for n, label in enumerate(labels):
            workdir = copy_workflow(tmp / f"{n}-x{times}-{round_}", sources[label], versions=False)
            replicate(workdir, times)
            warm_bytecode(workdir)
            log = Path(f"{stem[label]}-x{times}.log")
            results[label][f"x{times}"].append(snakemake(workdir, args.cores, log))
            rules[f"{label} x{times}"] = rule_seconds(workdir)
            shutil.rmtree(workdir)
            done()


def table(results: dict, labels: list[str], runs: list[str]) -> list[str]:
    """The markdown table: one row per run, wall / CPU / peak for each code, and the ratios."""
    head = "| run | " + " | ".join(f"{label}: wall / CPU / peak" for label in labels)
    lines = [head + (" | CPU ratio | wall ratio |" if len(labels) == 2 else " |")]
    lines.append("|---" * (len(labels) + 1 + (2 if len(labels) == 2 else 0)) + "|")
    for run in runs:
        row = f"| {run} | " + " | ".join(cell(results[label][run]) for label in labels)
        if len(labels) == 2:
            new, old = results[labels[0]][run], results[labels[1]][run]
            row += f" | {ratio(new, old, 'cpu')} | {ratio(new, old, 'wall')}"
        lines.append(row + " |")
    return lines


def edit_shares(results: dict, labels: list[str]) -> list[str]:
    """The one-cell edit's CPU as a share of a full build's (medians): of the same code's, and,
    with a baseline, of the baseline's (the build the goal was set against)."""
    lines = []
    for label in labels:
        share = ratio(results[label]["one-cell"], results[label]["full"], "cpu")
        lines.append(f"- one-cell / full, {label}: {share}")
    if len(labels) == 2:
        share = ratio(results[labels[0]]["one-cell"], results[labels[1]]["full"], "cpu")
        lines.append(f"- one-cell of {labels[0]} / full of {labels[1]}: {share}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", default="ac6f931", help="commit to compare with")
    parser.add_argument("--no-baseline", action="store_true", help="this checkout only")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--scales", type=int, nargs="*", default=[10, 40])
    parser.add_argument(
        "--scales-only", action="store_true", help="only the replicated reviews' builds"
    )
    parser.add_argument(
        "--no-bytecode-cache",
        action="store_true",
        help="every process compiles the copy's modules again (PYTHONDONTWRITEBYTECODE=1)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "results" / "benchmarks" / "build.md")
    args = parser.parse_args(argv)
    BYTECODE_CACHE[0] = not args.no_bytecode_cache

    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    current = f"this checkout ({head})"
    labels = [current] if args.no_baseline else [current, f"baseline {args.baseline}"]
    runs = [*RUNS, *(f"x{times}" for times in args.scales)]
    results = {label: {run: [] for run in runs} for label in labels}
    rules: dict[str, dict[str, float]] = {}
    load_before = os.getloadavg()
    runs = runs if not args.scales_only else runs[len(RUNS) :]

    def done() -> None:
        write_report(args, labels, runs, results, rules, load_before)

    with tempfile.TemporaryDirectory(prefix="reviewflow-bench-") as tmp_name:
        tmp = Path(tmp_name)
        sources = {current: REPO}
        if not args.no_baseline:
            sources[labels[1]] = checkout(args.baseline, tmp / "baseline-checkout")
        for round_ in range(args.repeat):
            run_round(tmp, sources, round_, args, results, rules, done)
    print(write_report(args, labels, runs, results, rules, load_before))
    print(f"written to {args.out}")
    return 0


def write_report(args, labels, runs, results, rules, load_before) -> str:
    """The table so far, written to `args.out`; returns its text."""
    load_now = os.getloadavg()
    lines = [
        "# Build benchmark",
        "",
        f"`snakemake --cores {args.cores}` over all targets of `rule all` in temporary copies of "
        "the workflow and its committed inputs (benchmarks/build.py); each cell: median wall "
        f"time / CPU time (user + system, all processes) / peak memory (sum of the process tree's "
        f"resident sets; in brackets the largest single process) of {args.repeat} run(s); "
        f"ratios: this checkout / baseline. Python's bytecode cache: {bytecode_cache_words()}.",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}; load average "
        f"(1, 5, 15 min) {' '.join(f'{v:.1f}' for v in load_before)} at the start, "
        f"{' '.join(f'{v:.1f}' for v in load_now)} now.",
        "",
        *table(results, labels, runs),
        "",
        "CPU of a one-cell edit as a share of a full build (medians):",
        "",
        *edit_shares(results, labels),
        "",
        "Per-rule wall time of each copy's last full build (results/benchmarks/<rule>.tsv):",
        "",
    ]
    for label, times in rules.items():
        ranked = sorted(times.items(), key=lambda item: -item[1])
        lines.append(f"- {label}: " + ", ".join(f"{rule} {s:.1f}" for rule, s in ranked[:12]))
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return text


if __name__ == "__main__":
    sys.exit(main())
