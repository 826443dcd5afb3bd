"""End to end: snakemake builds the extraction and dataset stages in a temporary copy of the
workflow, a second run has nothing to do, one changed workbook cell re-runs only the rules
downstream of it, and a bad workbook stops the build with every problem and nothing written."""

import json
import re
import subprocess
import sys

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


def main_process_modules(workdir) -> tuple[str, set[str]]:
    """A build of `TARGETS` run in this interpreter's snakemake, in-process: its console and
    the top-level modules its own process imported."""
    code = (
        "import sys\nfrom snakemake.cli import main\n"
        f"sys.argv = ['snakemake', '--cores', '1', '--directory', {str(workdir)!r}, *{TARGETS!r}]\n"
        "try:\n    main()\nexcept SystemExit as stop:\n    assert not stop.code, stop.code\n"
        "print('MODULES', ' '.join(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=workdir, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    modules = proc.stdout.rsplit("MODULES ", 1)[1].split()
    return proc.stdout + proc.stderr, set(modules)


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
    # one job: the workbook read, the raw tables, the dataset, its package and dictionary
    assert (results / "logs" / "dataset_harmonise" / "dataset_harmonise.log").is_file()
    assert (results / "benchmarks" / "dataset_harmonise.tsv").is_file()

    assert planned_jobs(workflow_dir) == {}
    # a build with nothing to do: Snakemake's process no longer imports pandas to hash the
    # rules' params (workflow/lib/params_hashing.py), and still finds every param unchanged
    console, modules = main_process_modules(workflow_dir)
    assert "Nothing to be done" in console
    assert "pandas" not in modules

    untouched = {t: (workflow_dir / t).stat().st_mtime_ns for t in TARGETS}
    set_cell(workflow_dir / "extraction" / "cases.xlsx", "F2", 38)  # age of C01
    assert planned_jobs(workflow_dir) == {"dataset_harmonise": 1}
    # a build that runs a job: Snakemake's process hands the job its params without importing
    # pandas either (workflow/lib/params_without_pandas.py)
    console, modules = main_process_modules(workflow_dir)
    assert "1 of 1 steps (100%) done" in console and "pandas" not in modules
    changed = {t for t in TARGETS if (workflow_dir / t).stat().st_mtime_ns != untouched[t]}
    assert changed == {
        "results/extraction/cases.tsv",
        "results/extraction/studies.tsv",
        "results/dataset/cases.csv",
        "results/dataset/qc_issues.tsv",
        "results/dataset/datapackage.json",
        "results/dataset/codebook.md",  # the same text, written with the table (one job)
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
    book["cases"]["B40"] = "S99"  # an unknown study
    book["cases"]["T41"] = "Glucocorticoid Tocilizumab"  # a phrase the vocabulary lacks
    book.save(workbook)
    proc = run_snakemake(workflow_dir, "results/dataset/cases.csv", check=False)
    assert proc.returncode != 0
    # every kind of problem in one build: cells, references and the vocabulary
    expected = [
        "extraction/cases.xlsx: 5 problems, nothing was written:",
        "  cases!E12: 'Mle': sex is not an allowed value: one of Male, Female, ND",
        "  cases!F20: '=40+2': age is a formula: type the value itself, as printed in the report",
        "  cases!A30: 'C29': row 30 is hidden: every row is read, so unhide it",
        "  cases!B40: 'S99': study_id is not in studies.study_id: an id listed in sheet studies",
        "  cases!T41: 'Glucocorticoid Tocilizumab': treatment has the unknown phrase "
        "'Tocilizumab': a phrase of group treatment in extraction/vocabulary.yaml (add it there "
        "with its categories)",
    ]
    assert "\n".join(expected) in proc.stderr
    log = workflow_dir / "results" / "logs" / "dataset_harmonise" / "dataset_harmonise.log"
    assert log.read_text(encoding="utf-8").splitlines() == expected
    assert not (workflow_dir / "results" / "extraction").exists()
    assert not (workflow_dir / "results" / "dataset").exists()


NEW_FIELD = """        - name: csf_igg4_index
          label: CSF IgG4 index
          type: number
          unit: ratio
          words: [ND]
          range: [0, 100]
          plausible: [0, 2]
          help: CSF IgG4 index as printed, or ND.
          dataset: {description: CSF IgG4 index (CSF/serum IgG4 over CSF/serum albumin).}
"""


@pytest.mark.e2e
def test_a_field_added_to_codebook_and_workbook_reaches_every_dataset_output(workflow_dir):
    """No code change: the codebook and the workbook only; the field reaches the dataset, its
    dictionary and package, QC, and the descriptive table."""
    codebook = workflow_dir / "extraction" / "codebook.yaml"
    text = codebook.read_text(encoding="utf-8")
    codebook.write_text(
        text.replace("    - name: studies\n", NEW_FIELD + "    - name: studies\n", 1)
    )
    workbook = workflow_dir / "extraction" / "cases.xlsx"
    book = load_workbook(workbook)
    sheet = book["cases"]
    sheet["V1"] = "csf_igg4_index"
    for row in range(2, sheet.max_row + 1):
        sheet[f"V{row}"] = "ND"
    sheet["V2"], sheet["V3"] = "0.7", "5"  # 5: outside the plausible range
    book.save(workbook)
    run_snakemake(workflow_dir, *TARGETS[1:], "results/statistics/descriptive.tsv")
    dataset = workflow_dir / "results" / "dataset"
    cases = pd.read_csv(dataset / "cases.csv", dtype=str, keep_default_na=False)
    described = pd.read_csv(
        workflow_dir / "results" / "statistics" / "descriptive.tsv", sep="\t", dtype=str
    ).set_index("variable")
    index = described.loc["csf_igg4_index"]
    assert (index["label"], index["n_reported"], index["not_reported"]) == (
        "CSF IgG4 index (ratio)",
        "2",
        "53",
    )
    assert index["statistic"] in {"mean_sd", "median_iqr"}
    assert list(cases.columns[-4:]) == [
        "main_other", "csf_igg4_index", "possible_duplicate_of", "workbook_row",
    ]  # fmt: skip
    assert cases["csf_igg4_index"].tolist()[:3] == ["0.7", "5", ""]
    package = json.loads((dataset / "datapackage.json").read_text(encoding="utf-8"))
    [spec] = [
        f for f in package["resources"][0]["schema"]["fields"] if f["name"] == "csf_igg4_index"
    ]
    assert spec == {
        "name": "csf_igg4_index",
        "type": "number",
        "description": "CSF IgG4 index (CSF/serum IgG4 over CSF/serum albumin). Unit: ratio.",
    }
    dictionary = (dataset / "codebook.md").read_text(encoding="utf-8")
    assert (
        "| `csf_igg4_index` | number | ratio |  | csf_igg4_index | CSF IgG4 index (CSF/serum IgG4 "
        "over CSF/serum albumin). |" in dictionary
    )
    qc = pd.read_csv(dataset / "qc_issues.tsv", sep="\t", dtype=str)
    [issue] = qc[qc.field == "csf_igg4_index"].itertuples()
    assert issue.message == (
        "cases!V3: csf_igg4_index 5 ratio is outside the plausible range 0-2 ratio "
        "(extraction/codebook.yaml), 7.1 times the largest other value (0.7): check the report "
        "for a unit or typing error; the value is kept as printed"
    )
