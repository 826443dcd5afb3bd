"""Any review from files: `reviewflow new-review` writes a skeleton that builds at once, and a
second, hand-made review (another condition, another codebook: tests/data/reviews/) builds and
reconciles its published figures with no Python of its own. Both run the workflow from this
repository on a review held in another folder (snakemake -s <repo>/Snakefile --directory DIR)."""

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from .conftest import REPO, run_snakemake

pytestmark = pytest.mark.e2e

SNAKEFILE = str(REPO / "Snakefile")
JAW_REVIEW = REPO / "tests" / "data" / "reviews" / "jaw_schwannoma"


def reviewflow(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reviewflow.cli", *args], capture_output=True, text=True, timeout=120
    )


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def test_new_review_skeleton_builds_at_once_and_is_never_written_over(tmp_path):
    review = tmp_path / "my-review"
    made = reviewflow("new-review", str(review), "--title", "Zebra bites: case reports")
    assert made.returncode == 0, made.stderr
    assert (
        "extraction/cases.xlsx" in made.stdout
        and f"Build it: cd {review} && snakemake" in made.stdout
    )
    assert 'title: "Zebra bites: case reports"' in (review / "config/config.yaml").read_text()
    assert not list(tmp_path.glob(".*partial*"))

    run_snakemake(review, "-s", SNAKEFILE)
    results = review / "results"
    assert {r["status"] for r in rows(results / "statistics/reconciliation.tsv")} == {"match"}
    described = {
        (r["variable"], r["category"]) for r in rows(results / "statistics/descriptive.tsv")
    }
    assert {("sex", "male"), ("age_years", ""), ("symptom_pain", "")} <= described
    assert (results / "prisma/prisma.png").stat().st_size > 0
    characteristics = (results / "statistics/characteristics.md").read_text()
    assert "No characteristics table is declared" in characteristics

    # an age edited before any version is published: the dataset and the statistics are made
    # again, not the living stage (it reads them only to compare with a published version)
    book = load_workbook(review / "extraction/cases.xlsx")
    assert book["cases"]["E1"].value == "age"
    book["cases"]["E2"] = 35
    book.save(review / "extraction/cases.xlsx")
    plan = run_snakemake(review, "-s", SNAKEFILE, "--dry-run").stdout.splitlines()
    stats = plan[plan.index("Job stats:") + 3 : plan.index("Job stats:") + 6]
    assert [line.split() for line in stats] == [
        ["dataset_harmonise", "1"], ["statistics", "1"], ["all", "1"]
    ]  # fmt: skip

    before = (review / "config/config.yaml").read_bytes()
    again = reviewflow("new-review", str(review))
    assert again.returncode == 2
    assert "exists and is not an empty folder" in again.stderr
    assert (review / "config/config.yaml").read_bytes() == before


def test_second_review_builds_and_reconciles_from_files_alone(tmp_path):
    review = shutil.copytree(JAW_REVIEW, tmp_path / "jaw")
    stats = "results/statistics"
    run_snakemake(
        review,
        "-s",
        SNAKEFILE,
        f"{stats}/reconciliation.tsv",
        f"{stats}/descriptive.tsv",
        f"{stats}/characteristics.md",
        "results/figures/symptoms_treatment.png",
        "results/dataset/datapackage.json",
    )
    reconciled = {r["item"]: r for r in rows(review / stats / "reconciliation.tsv")}
    status = {item: row["status"] for item, row in reconciled.items()}
    assert status == {
        "n_cases": "match",
        "sex_male": "match",
        "age_mean": "match",
        "size_mean": "match",
        "swelling": "match",
        "pain": "differs",
        "enucleation": "match",
        "follow_up_median": "match",
        "recurrence": "differs",
    }
    # Printed over all 12 patients: the declared alternative reading reproduces it.
    assert "over all 12 patients" in reconciled["recurrence"]["note"]
    assert reconciled["recurrence"]["reproduced_by"]
    assert "No other reading" in reconciled["pain"]["note"]

    cases = list(csv.DictReader((review / "results/dataset/cases.csv").open(encoding="utf-8")))
    assert len(cases) == 12
    c04 = next(c for c in cases if c["case_id"] == "C04")
    assert (c04["size_cm_low"], c04["size_cm_qualifier"], c04["follow_up_months"]) == (
        "5",
        "greater_than",
        "",
    )
    assert next(c for c in cases if c["case_id"] == "C02")["follow_up_months"] == "36"

    described = {
        (r["variable"], r["category"]): r for r in rows(review / stats / "descriptive.tsv")
    }
    assert described[("symptom_swelling", "")]["value"] == "6 (54.5%)"
    assert described[("follow_up_months", "")]["n_reported"] == "11"
    assert "| Recurrence |" in (review / stats / "characteristics.md").read_text()
