"""benchmarks/edit_breakdown.py (issue 21): each recorded process named by its job's script, and
the table of a full build's and a one-cell edit's CPU beside their floors, on hand-made records
with known answers."""

import importlib
import json
import os
import subprocess
import sys

import pytest

from tests.import_closure import REPO


@pytest.fixture
def breakdown(monkeypatch):
    """benchmarks/edit_breakdown.py, with the benchmarks' build.py as its `build` (not the PyPA
    package of that name); both out of sys.modules again afterwards."""
    monkeypatch.syspath_prepend(str(REPO / "benchmarks"))
    for name in ("build", "edit_breakdown"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield importlib.import_module("edit_breakdown")
    for name in ("build", "edit_breakdown"):
        sys.modules.pop(name, None)


def process(argv0: str, cpu: float) -> dict:
    return {"argv": [argv0], "cpu": cpu, "modules": []}


def test_a_process_is_named_by_its_job_script_or_is_snakemakes_own(breakdown):
    name = breakdown.process_name
    assert name(["/r/.snakemake/scripts/tmpa1_b2-c.statistics_stage.py"]) == "statistics_stage"
    assert name(["/venv/lib/python3.11/site-packages/snakemake/__main__.py"]) == breakdown.SNAKEMAKE
    assert name([]) == breakdown.SNAKEMAKE


def test_the_table_gives_each_process_beside_its_floor_and_the_edits_shares(breakdown):
    job = "/r/.snakemake/scripts/tmpx.{}.py".format
    snakemake = "/venv/bin/snakemake"
    full = [
        [process(snakemake, 2.0), process(job("search"), 1.0), process(job("stats"), 5.0)],
        [process(snakemake, 2.2), process(job("search"), 1.2), process(job("stats"), 7.0)],
    ]
    edits = [[process(snakemake, 1.5), process(job("stats"), 2.0)]]
    noops = [[process(snakemake, 1.0)], [process(snakemake, 1.2)]]
    floors = {("full", "search"): [0.5, 0.7], ("full", "stats"): [1.0], ("edit", "stats"): [1.0]}
    assert breakdown.breakdown(full, edits, noops, floors) == [
        "| process | full build: CPU / floor | one-cell edit: CPU / floor |",
        "|---|---|---|",
        "| snakemake (own process) | 2.10 s / 1.10 s | 1.50 s / 1.10 s |",
        "| search | 1.10 s / 0.60 s | not run |",
        "| stats | 6.00 s / 1.00 s | 2.00 s / 1.00 s |",
        "| all | 9.20 s / 2.70 s | 3.50 s / 2.10 s |",
        "",
        "- floor share: full build 29%, one-cell edit 60%;",
        "- one-cell / full: CPU 0.38, work above the floor 0.22 (1.40 / 6.50 s).",
    ]


def test_the_recorder_writes_each_pythons_cpu_and_modules_in_their_order(breakdown, tmp_path):
    recorder = tmp_path / "recorder"
    recorder.mkdir()
    (recorder / "sitecustomize.py").write_text(breakdown.RECORDER, encoding="utf-8")
    record = tmp_path / "processes.jsonl"
    env = {**os.environ, "PYTHONPATH": str(recorder), "REVIEWFLOW_BENCH_PROCESSES": str(record)}
    script = tmp_path / "tmpab12.a_job.py"
    script.write_text("import decimal, fractions\n", encoding="utf-8")
    for _ in range(2):
        subprocess.run([sys.executable, str(script)], env=env, check=True)
    lines = [json.loads(line) for line in record.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == 2
    for line in lines:
        assert breakdown.process_name(line["argv"]) == "a_job" and line["cpu"] >= 0
        modules = line["modules"]
        assert modules.index("decimal") < modules.index("fractions")
        assert "sitecustomize" not in modules and "__main__" not in modules


def test_an_import_floor_is_the_cpu_of_pythons_importing_the_modules(breakdown, tmp_path):
    floor = breakdown.import_floor(["json", "no_such_module_here", "decimal"], tmp_path, 2)
    assert 0 <= floor < 5
