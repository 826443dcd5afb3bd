"""End to end: snakemake builds the extraction and dataset stages in a temporary copy of the
workflow, a second run has nothing to do, one changed workbook cell re-runs only the rules
downstream of it, and a bad workbook stops the build with every problem and nothing written."""

import re

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import run_snakemake

TARGETS = [
    "results/templates/cases_template.xlsx",
    "results/extraction/cases.tsv",
    "results/extraction/studies.tsv",
    "results/dataset/cases.csv",
    "results/dataset/qc_issues.tsv",
    "results/dataset/datapackage.json",
    "results/dataset/codebook.md",
]


def planned_jobs(workdir) -> dict[str, int]:
    """Rule -> number of jobs that a dry run would execute (empty when nothing to do)."""
    proc = run_snakemake(workdir, *TARGETS, "--dry-run")
    output = proc.stdout + proc.stderr
    if "Nothing to be done" in output:
        return {}
    table = output.split("Job stats:", 1)[1].split("total", 1)[0]
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)\s*$", table, flags=re.M)}


def set_cell(workbook, address: str, value) -> None:
    book = load_workbook(workbook)
    book["cases"][address] = value
    book.save(workbook)


@pytest.mark.e2e
def test_build_then_nothing_to_do_then_only_downstream_of_a_changed_cell(workflow_dir):
    run_snakemake(workflow_dir, *TARGETS)
    results = workflow_dir / "results"
    cases = pd.read_csv(results / "dataset" / "cases.csv", dtype=str, keep_default_na=False)
    assert len(cases) == 55 and cases.loc[0, "age_years"] == "37"
    qc = pd.read_csv(results / "dataset" / "qc_issues.tsv", sep="\t", dtype=str)
    assert (qc.severity == "warning").sum() == 3
    for rule in ("extraction_read", "dataset_harmonise", "dataset_package"):
        assert (results / "logs" / rule / f"{rule}.log").is_file()
        assert (results / "benchmarks" / f"{rule}.tsv").is_file()

    assert planned_jobs(workflow_dir) == {}

    untouched = {t: (workflow_dir / t).stat().st_mtime_ns for t in TARGETS}
    set_cell(workflow_dir / "extraction" / "cases.xlsx", "F2", 38)  # age of C01
    assert planned_jobs(workflow_dir) == {
        "extraction_read": 1,
        "dataset_harmonise": 1,
        "dataset_package": 1,
    }
    run_snakemake(workflow_dir, *TARGETS)
    changed = {t for t in TARGETS if (workflow_dir / t).stat().st_mtime_ns != untouched[t]}
    assert changed == {
        "results/extraction/cases.tsv",
        "results/extraction/studies.tsv",
        "results/dataset/cases.csv",
        "results/dataset/qc_issues.tsv",
        "results/dataset/datapackage.json",
    }
    cases = pd.read_csv(results / "dataset" / "cases.csv", dtype=str, keep_default_na=False)
    assert cases.loc[0, "age_years"] == "38"
    assert planned_jobs(workflow_dir) == {}


@pytest.mark.e2e
def test_bad_workbook_stops_the_build_with_every_problem_and_nothing_written(workflow_dir):
    workbook = workflow_dir / "extraction" / "cases.xlsx"
    book = load_workbook(workbook)
    book["cases"]["E12"] = "Mle"
    book["cases"]["F20"] = "=40+2"
    book["cases"].row_dimensions[30].hidden = True
    book.save(workbook)
    proc = run_snakemake(workflow_dir, "results/dataset/cases.csv", check=False)
    assert proc.returncode != 0
    expected = [
        "extraction/cases.xlsx: 3 problems, nothing was written:",
        "  cases!E12: 'Mle': sex is not an allowed value: one of Male, Female, ND",
        "  cases!F20: '=40+2': age is a formula: type the value itself, as printed in the report",
        "  cases!A30: 'C29': row 30 is hidden: every row is read, so unhide it",
    ]
    assert "\n".join(expected) in proc.stderr
    log = workflow_dir / "results" / "logs" / "extraction_read" / "extraction_read.log"
    assert log.read_text(encoding="utf-8").splitlines() == expected
    assert not (workflow_dir / "results" / "extraction").exists()
    assert not (workflow_dir / "results" / "dataset").exists()
