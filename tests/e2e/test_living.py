"""A living review from one published version to the next, end to end in a private copy of the
workflow: the committed version 1 (the article) -> `reviewflow update` (the command the monthly
CI workflow runs) fetches a window from the local fake E-utilities server -> a Web of Science
export joins it -> two reviewers screen -> one new study with one new patient is extracted and a
cell of an old patient is corrected -> version 2 is declared and published -> What's new lists
exactly those changes; publishing again is refused; a run without changes reports nothing new.

The records, the export and the reviewers' helpers are test_update_path.py's (hand-made PubMed
articles, so no ../shared is needed); every expected value was worked out by hand from them.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from tests.e2e.conftest import run_snakemake
from tests.e2e.test_update_path import (
    A1,
    A1_TITLE,
    A2,
    A3,
    A4,
    A5,
    A6,
    ARTICLES,
    NOT_CASE,
    REVIEW,
    SAVEDRECS,
    WA,
    WOS3,
    closed_port_url,
    drawn,
    extract_the_new_study,
    write_decisions,
)
from tests.fake_eutils import FakeEutils

pytestmark = pytest.mark.e2e

NEW_STUDY = pd.DataFrame(
    [["S51", "Tanaka", "2024", A1_TITLE, "Journal of Neurology", "10.1007/s00415-024-12701-3",
      "39500001", A1, WA]],
    columns=["study_id", "first_author", "year", "title", "journal", "doi", "pmid", "record_id",
             "window"],
)  # fmt: skip
VERSION_2 = f"""
  - number: 2
    date: "2025-04-15"
    trigger: "Monthly search update: window {WA} (PubMed, Web of Science)"
    windows: [v1, "{WA}"]
    note: "One new study (S51, one patient); age of C01 corrected."
"""


def cli(review: Path, *args: str) -> subprocess.CompletedProcess:
    """`reviewflow ARGS` run from the review's root, as a user (or the CI workflow) runs it."""
    command = [sys.executable, "-m", "reviewflow.cli", *args]
    return subprocess.run(
        command, cwd=review, capture_output=True, text=True, timeout=600, env=os.environ.copy()
    )


def whats_new(review: Path) -> tuple[str, pd.DataFrame]:
    living = review / "results/living"
    table = pd.read_csv(living / "whats_new.tsv", sep="\t", dtype=str, keep_default_na=False)
    return (living / "whats_new.md").read_text(encoding="utf-8"), table


def changes(table: pd.DataFrame, part: str) -> list[list[str]]:
    rows = table[(table["part"] == part) & (table["change"] != "unchanged")]
    return rows[["key", "field", "before", "after", "change"]].values.tolist()


def digest_rows(review: Path) -> list[list[str]]:
    path = review / "results/living/update_digest.tsv"
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False).values.tolist()


def correct_age_of_first_patient(review: Path) -> None:
    """A reviewer corrects C01's age (cases!F2) in the workbook: 37 -> 38."""
    path = review / "extraction/cases.xlsx"
    book = load_workbook(path)
    assert (book["cases"]["A2"].value, book["cases"]["F1"].value) == ("C01", "age")
    assert book["cases"]["F2"].value == 37
    book["cases"]["F2"].value = 38
    book.save(path)


def test_living_review_from_version_1_to_version_2(workflow_dir, httpserver, monkeypatch):
    review = workflow_dir
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    monkeypatch.setenv("NCBI_EMAIL", "reviewer@example.org")
    monkeypatch.setenv("REVIEWFLOW_EUTILS_URL", closed_port_url())

    # The committed version 1 is what a fresh build of the committed inputs gives.
    run_snakemake(review)
    text, table = whats_new(review)
    assert "**Nothing new** since version 1" in text
    assert not table["change"].isin(["new", "removed", "changed"]).any()
    assert "No search window since version 1" in (
        review / "results/living/update_digest.md"
    ).read_text(encoding="utf-8")
    lsr = (review / "results/reporting/prisma_lsr_items.md").read_text(encoding="utf-8")
    assert "| 1.2 | Title | Provide the version number. | version 1 (date not given) |" in lsr

    # The monthly update: the command the CI workflow runs prints the digest for the PR.
    fake = FakeEutils(None, articles=ARTICLES)
    monkeypatch.setenv("REVIEWFLOW_EUTILS_URL", fake.install(httpserver))
    update = cli(review, "update", "--until", "2025-03-31", "--cores", "2")
    assert update.returncode == 0, update.stderr
    assert update.stdout.startswith("# Search update digest")
    assert f"Search windows since version 1: `{WA}`. 7 records, 6 new to screen." in update.stdout
    assert f"| `{WA}` | PubMed | 7 | 1 | 0 | 0 | 6 |" in update.stdout
    assert f"| `{A1}` | PubMed | {A1_TITLE} (Journal of Neurology 2024) | pending" in update.stdout
    assert (fake.count("esearch"), fake.count("efetch")) == (1, 1)

    # The reviewers: an export, two reviewers' decisions, the new study extracted, a correction,
    # and version 2 declared.
    (review / "resources/searches" / WA / "savedrecs.txt").write_text(SAVEDRECS, encoding="utf-8")
    decisions = review / "extraction/screening"
    for reviewer in ("alice", "bob"):
        write_decisions(decisions / f"title_abstract_{reviewer}.tsv", [
            (A1, "include"), (A2, "exclude", NOT_CASE), (A3, "exclude", REVIEW),
        ])  # fmt: skip
        write_decisions(decisions / f"full_text_{reviewer}.tsv", [(A1, "include")])
    extract_the_new_study(review, NEW_STUDY)
    correct_age_of_first_patient(review)
    with open(review / "config/versions.yaml", "a", encoding="utf-8") as handle:
        handle.write(VERSION_2)
    run_snakemake(review)

    text, table = whats_new(review)
    new_records = table[(table["part"] == "record") & (table["change"] == "new")]
    assert len(new_records) == 10  # 7 PubMed + 3 Web of Science records of the window
    assert changes(table[table["part"] != "record"], "records") == [
        ["", "records identified", "", "7", "new"],
        ["", "records identified", "", "3", "new"],
    ]
    assert changes(table, "study") == [["S51", "study", "", f"Tanaka, 2024, {A1_TITLE}", "new"]]
    study = table[table["part"] == "study"].iloc[0]
    assert (study["window"], study["source"]) == (WA, "PubMed")  # found through A1
    assert changes(table, "patient") == [["C56", "patient", "", "S51, Tanaka, 2024", "new"]]
    assert changes(table, "cell") == [["C01", "age (cases!F2)", "37", "38", "changed"]]
    assert changes(table, "dataset") == [["C01", "age_years", "37", "38", "changed"]]
    summary = {row[0]: row[2:4] for row in changes(table, "summary")}
    assert summary["n_cases"] == ["55", "56"]
    assert summary["sex_male"] == ["29/55 (52.7%)", "30/56 (53.6%)"]
    assert summary["sex_female"] == ["26/55 (47.3%)", "26/56 (46.4%)"]  # same women, more patients
    descriptive = {row[0]: row[2:4] for row in changes(table, "descriptive")}
    assert descriptive["sex|male"] == ["29 (52.7%) (n = 55)", "30 (53.6%) (n = 56)"]
    for line in (
        "- Studies: 1 new, 0 removed",
        "- Patients: 1 new, 0 removed",
        "- Corrected cells of patients already included: 1",
        "| C01 | age (cases!F2) | 37 | 38 | changed |",
        "| n_cases | Patients in the dataset | 55 | 56 |",
    ):
        assert line in text, line
    digest = (review / "results/living/update_digest.md").read_text(encoding="utf-8")
    assert digest_rows(review) == [
        [WA, "PubMed", "7", "1", "0", "1", "5"],  # A5 twice; A1 is study S51 now
        [WA, "Web of Science", "3", "2", "0", "1", "1"],  # WoS1 = A1, WoS2 = A2; WoS3 is new
    ]
    for record in (A4, A5, A6, WOS3):
        assert f"`{record}`" in digest
    assert f"| `{A2}` | PubMed | " in digest and f"exclude: {NOT_CASE} (title/abstract)" in digest
    svg = drawn(review)  # the updated-review diagram: version 1's studies and patients on the left
    for box in ("Studies included in previous version of review (n = 50)", "Patients (n = 55)",
                "New studies included in review (n = 1)",
                "Total studies included in review (n = 51)", "Patients (n = 56)"):  # fmt: skip
        assert box in svg, box
    prisma2020 = (review / "results/reporting/prisma2020_checklist.md").read_text(encoding="utf-8")
    assert "title/abstract reviewers so far: alice, bob" in prisma2020
    assert "version 2 (draft, not yet published)" in (
        review / "results/reporting/prisma_lsr_items.md"
    ).read_text(encoding="utf-8")

    # Publishing version 2 freezes the outputs; a published version is never rewritten.
    published = cli(review, "publish-version", "2")
    assert published.returncode == 0, published.stderr
    folder = review / "versions/v2"
    meta = json.loads((folder / "version.json").read_text(encoding="utf-8"))
    assert meta["windows"] == ["v1", WA] and meta["trigger"].startswith("Monthly search update")
    frozen = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert {"cases.csv", "cases_raw.tsv", "summary.tsv", "reconciliation.tsv",
            "prisma_counts.csv", "whats_new.md", "update_digest.md"} <= set(frozen)  # fmt: skip
    assert "| C01 | age (cases!F2) | 37 | 38 | changed |" in frozen["whats_new.md"].decode()
    assert all(not os.access(folder / name, os.W_OK) or os.geteuid() == 0 for name in frozen)
    again = cli(review, "publish-version", "2")
    assert again.returncode == 2
    assert "version 2 is published already; a published version is never rewritten" in again.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == frozen

    # A run without changes: nothing new since version 2, no window to digest.
    run_snakemake(review)
    text, table = whats_new(review)
    assert "**Nothing new** since version 2" in text
    assert not table["change"].isin(["new", "removed", "changed"]).any()
    assert "No search window since version 2" in (
        review / "results/living/update_digest.md"
    ).read_text(encoding="utf-8")
    assert len(fake.requests) == 2  # nothing asked of the server either
