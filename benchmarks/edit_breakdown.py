"""Benchmark: where a one-cell edit's CPU goes, process by process (issue 21).

Builds the first review from nothing in a temporary copy (as benchmarks/build.py does), then
changes one cell of the extraction workbook and rebuilds, then rebuilds with nothing to do; in a
new copy each of `--repeat` rounds. Every Python process of those
rebuilds (Snakemake's own and each job's) records, as it ends, its own CPU time (user + system)
and the modules it imported (a `sitecustomize` put first on PYTHONPATH). Then, for each job, a
fresh Python imports the same modules, the library's own (reviewflow) left out, and records its
CPU (as many at once as the build has cores): the job's import floor, what the job costs before
its own code does any work. Snakemake's own floor is a no-op rebuild's.

Prints, per process, the medians of the full build's and of the edit's CPU, each beside its
floor, and what the edit costs of the full build in CPU and in work above the floor; writes
them to results/benchmarks/edit_breakdown.md; never fails on time.

    .venv/bin/python benchmarks/edit_breakdown.py [--repeat 5] [--cores 2]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from build import REPO, change_one_cell, copy_workflow, run_env, warm_bytecode

# Written into the copy: each Python process of a build appends one JSON line as it ends.
RECORDER = """
import atexit, json, os, sys

def _record():
    times = os.times()
    modules = [  # in the order they were imported
        name for name in list(sys.modules)
        if not name.startswith(("reviewflow", "__main__", "__mp_main__", "sitecustomize"))
    ]
    line = {"argv": sys.argv[:1], "cpu": times.user + times.system, "modules": modules}
    with open(os.environ["REVIEWFLOW_BENCH_PROCESSES"], "a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\\n")

atexit.register(_record)
"""
# A job's script, as Snakemake writes it: .snakemake/scripts/tmp<random>.<script name>.py
JOB_SCRIPT = re.compile(r"tmp[\w-]+\.(\w+)\.py$")
SNAKEMAKE = "snakemake (own process)"


def process_name(argv: list[str]) -> str:
    """A recorded process's name: its job script's name, or Snakemake's own process."""
    script = argv[0] if argv else ""
    match = JOB_SCRIPT.search(script)
    return match.group(1) if match else SNAKEMAKE


def recorded_build(workdir: Path, recorder: Path, cores: int) -> list[dict]:
    """Run snakemake in `workdir` with the recorder on; the processes it recorded."""
    record = workdir / "processes.jsonl"
    record.unlink(missing_ok=True)
    env = run_env(workdir)
    env["PYTHONPATH"] = os.pathsep.join([str(recorder), env["PYTHONPATH"]])
    env["REVIEWFLOW_BENCH_PROCESSES"] = str(record)
    cmd = [sys.executable, "-m", "snakemake", "--cores", str(cores), "--directory", str(workdir)]
    done = subprocess.run(cmd, cwd=workdir, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"snakemake failed in {workdir}:\n{done.stderr[-5000:]}")
    lines = record.read_text(encoding="utf-8").splitlines() if record.exists() else []
    return [json.loads(line) for line in lines]


def import_floor(modules: list[str], workdir: Path, beside: int) -> float:
    """CPU seconds of a fresh Python that imports `modules` in their order (each that imports on
    its own): the median of `beside` such Pythons run at once, as a build's jobs run beside
    each other (here a lone Python's imports took about a third more CPU than two at once)."""
    code = (
        "import importlib, os\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "    except Exception:\n"
        "        pass\n"
        "times = os.times()\n"
        "print(times.user + times.system)\n"
    )
    env = run_env(workdir)
    pythons = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=workdir, env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(beside)
    ]
    return statistics.median(float(python.communicate()[0].split()[-1]) for python in pythons)


def medians(runs: list[list[dict]]) -> dict[str, float]:
    """Process name -> median CPU over `runs` (each a build's recorded processes)."""
    cpu = defaultdict(list)
    for processes in runs:
        for process in processes:
            cpu[process_name(process["argv"])].append(process["cpu"])
    return {name: statistics.median(values) for name, values in cpu.items()}


def breakdown(
    full: list[list[dict]], edits: list[list[dict]], noops: list[list[dict]], floors: dict
) -> list[str]:
    """The table: per process, the full build's and the edit's CPU, each beside its floor (the
    medians), then the totals and the edit's shares of the full build."""
    floor = {key: statistics.median(values) for key, values in floors.items()}
    floor["full", SNAKEMAKE] = floor["edit", SNAKEMAKE] = medians(noops)[SNAKEMAKE]
    full_cpu, edit_cpu = medians(full), medians(edits)
    lines = [
        "| process | full build: CPU / floor | one-cell edit: CPU / floor |",
        "|---|---|---|",
    ]
    sums = defaultdict(float)
    for name in sorted(full_cpu.keys() | edit_cpu.keys(), key=lambda n: (n != SNAKEMAKE, n)):
        cells = []
        for run, cpu in (("full", full_cpu), ("edit", edit_cpu)):
            if name in cpu:
                sums[run] += cpu[name]
                sums[f"{run} floor"] += floor[run, name]
                cells.append(f"{cpu[name]:.2f} s / {floor[run, name]:.2f} s")
            else:
                cells.append("not run")
        lines.append(f"| {name} | {cells[0]} | {cells[1]} |")
    lines.append(
        f"| all | {sums['full']:.2f} s / {sums['full floor']:.2f} s | "
        f"{sums['edit']:.2f} s / {sums['edit floor']:.2f} s |"
    )
    full_work, edit_work = sums["full"] - sums["full floor"], sums["edit"] - sums["edit floor"]
    return lines + [
        "",
        f"- floor share: full build {sums['full floor'] / sums['full']:.0%}, "
        f"one-cell edit {sums['edit floor'] / sums['edit']:.0%};",
        f"- one-cell / full: CPU {sums['edit'] / sums['full']:.2f}, "
        f"work above the floor {edit_work / full_work:.2f} ({edit_work:.2f} / {full_work:.2f} s).",
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument(
        "--out", type=Path, default=REPO / "results" / "benchmarks" / "edit_breakdown.md"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="reviewflow-edit-") as tmp_name:
        tmp = Path(tmp_name)
        recorder = tmp / "recorder"
        recorder.mkdir()
        (recorder / "sitecustomize.py").write_text(RECORDER, encoding="utf-8")
        full, edits, noops, floors = [], [], [], defaultdict(list)
        for round_ in range(args.repeat):
            workdir = copy_workflow(tmp / f"review-{round_}")
            warm_bytecode(workdir)
            full.append(recorded_build(workdir, recorder, args.cores))
            change_one_cell(workdir, round_)
            edits.append(recorded_build(workdir, recorder, args.cores))
            noops.append(recorded_build(workdir, recorder, args.cores))
            for run, processes in (("full", full[-1]), ("edit", edits[-1])):
                for process in processes:
                    name = process_name(process["argv"])
                    if name != SNAKEMAKE:
                        floors[run, name].append(
                            import_floor(process["modules"], workdir, args.cores)
                        )
            shutil.rmtree(workdir)
        lines = [
            "# Where a full build's and a one-cell edit's CPU go",
            "",
            f"benchmarks/edit_breakdown.py: the first review, {args.repeat} rounds of a full "
            f"build and a one-cell edit (`snakemake --cores {args.cores}`); medians per "
            "process. Floor: a job's, a fresh Python importing the modules the job imported "
            "(reviewflow's own left out); Snakemake's, a no-op rebuild's own process.",
            "",
            *breakdown(full, edits, noops, floors),
        ]
    text = "\n".join(lines) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
