"""The review's HTML report end to end: the whole workflow built once in a temporary copy, then
`snakemake --report results/report.html`. The report must hold every category in the order the
data flow, every captioned output, a readable page for every table, and no docutils message."""

import base64
import csv
import json
import re

import pytest

import reviewflow
from tests.e2e.conftest import run_snakemake

pytestmark = pytest.mark.e2e

# What a reader of the review finds in the report, by category (the report's menu sorts the
# categories by name, hence the numbers). A .html beside a table is the table's readable page.
REPORT_OUTPUTS = {
    "1. Search": {"search_report.html", "search_report.md", "records.tsv"},
    "2. Deduplication": {
        "dedup_counts.html",
        "dedup_counts.json",
        "duplicates.html",
        "duplicates.tsv",
        "uncertain_pairs.html",
        "uncertain_pairs.tsv",
        "related_versions.html",
        "related_versions.tsv",
        "unique_records.tsv",
    },
    "3. Screening": {
        "counts.html",
        "counts.json",
        "screening_log.html",
        "screening_log.tsv",
        "conflicts.html",
        "conflicts.tsv",
        "agreement.html",
        "agreement.tsv",
        "to_screen.xlsx",
        "new_studies.xlsx",
    },
    "4. Dataset": {
        "cases.csv",
        "cases.html",
        "qc_issues.html",
        "qc_issues.tsv",
        "codebook.html",
        "codebook.md",
        "datapackage.json",
        "appraisal.html",
        "agreement.html",
        "conflicts.html",
        "methods.html",
        "traffic_light.png",
    },
    "5. Statistics": {
        "summary.html",
        "summary.tsv",
        "reconciliation.html",
        "reconciliation.md",
        "reconciliation.tsv",
        "characteristics.html",
        "characteristics.md",
        "characteristics.xlsx",
        "descriptive.html",
        "descriptive.md",
        "descriptive.tsv",
        "descriptive.xlsx",
        # the outcome analyses of config/analysis.yaml (one page each) and their usable-n table
        "recurrence_by_rituximab.html",
        "improvement_by_treatment.html",
        "age_by_recurrence.html",
        "recurrence_predictors.html",
        "outcomes_usable_n.html",
        "outcomes_usable_n.tsv",
    },
    "6. Figures": {"levels.svg", "symptoms.svg", "treatments_outcomes.svg", "case_overview.svg"},
    "7. PRISMA 2020 flow diagram": {
        "prisma.svg",
        "prisma_checks.html",
        "prisma_counts.csv",
        "prisma_counts.html",
    },
    "8. Living review": {"whats_new.html", "update_digest.html"},
    "9. Reporting checklists": {
        "prisma2020_checklist.html",
        "prisma_s_checklist.html",
        "prisma_lsr_items.html",
    },
}
# Files that stay downloads only: records with their abstracts, a machine-readable descriptor.
DOWNLOAD_ONLY = {"records.tsv", "unique_records.tsv", "datapackage.json"}
READABLE_MIME = {"text/html", "image/svg+xml"}  # what the report shows inline (+ png, jpeg, pdf)
DOCUTILS_MESSAGE = re.compile(r"\((DEBUG|INFO|WARNING|ERROR|SEVERE)/\d\)|System Message")


def report_variable(report: str, script_id: str, name: str):
    """A JSON variable the report embeds (`<script id="results"> var results = {...}`)."""
    pattern = rf'<script id="{script_id}">\s*var {name} = (.*?)\s*</script>'
    match = re.search(pattern, report, flags=re.S)
    assert match, f"no `var {name}` in the report"
    return json.loads(match.group(1).rstrip().rstrip(";"))


def page_of(entry: dict) -> str:
    """The embedded file of a report entry (a base64 data URI)."""
    return base64.b64decode(entry["data_uri"].split("base64,", 1)[1]).decode("utf-8")


def test_whole_workflow_report_has_every_output_captioned_and_readable(workflow_dir):
    run_snakemake(workflow_dir)
    proc = run_snakemake(workflow_dir, "--report", "results/report.html")
    messages = DOCUTILS_MESSAGE.findall(proc.stdout + proc.stderr)
    assert messages == [], f"docutils printed messages:\n{proc.stderr}"

    report = (workflow_dir / "results/report.html").read_text(encoding="utf-8")
    categories = report_variable(report, "categories", "categories")
    results = report_variable(report, "results", "results")
    assert sorted(categories) == list(REPORT_OUTPUTS)  # every category, in data-flow order

    for category, names in REPORT_OUTPUTS.items():
        paths = [p for subcategory in categories[category].values() for p in subcategory]
        assert {results[p]["name"] for p in paths} == names, category
        for path in paths:
            entry = results[path]
            caption = re.sub(r"<[^>]+>", "", entry["caption"])
            assert len(caption.split()) >= 30, f"{path}: no caption worth the name"
            assert not DOCUTILS_MESSAGE.search(entry["caption"]), f"{path}: {caption}"
            stem, suffix = entry["name"].rsplit(".", 1)
            if suffix in {"tsv", "csv", "md", "json"} and entry["name"] not in DOWNLOAD_ONLY:
                assert f"{stem}.html" in names, f"{path} is only a download"
            if entry["mime_type"] == "text/html":
                page = page_of(entry)
                assert page.startswith("<!DOCTYPE html>") and "<script" not in page.lower()

    description = report_variable(report, "workflow-desc", "workflow_desc")
    assert "Clinical features of immunoglobulin-G4-related spinal pachymeningitis" in description
    assert not DOCUTILS_MESSAGE.search(description)
    # The landing page says which version this is and the living-mode parameters.
    assert "living systematic review, version 1" in description
    assert "retirement from the living mode" in description
    # ... and which reviewflow made the build (also recorded in run_state.json)
    assert f"Made by reviewflow {reviewflow.__version__}." in description
    state = json.loads((workflow_dir / "results/run_state.json").read_text())
    assert state["reviewflow"] == reviewflow.__version__
    for category in REPORT_OUTPUTS:
        assert f">{category}</a>" in description

    # A table page holds the whole table: one row per patient of the dataset.
    with open(workflow_dir / "results/dataset/cases.csv", encoding="utf-8", newline="") as f:
        patients = sum(1 for _ in csv.DictReader(f))
    cases_page = page_of(results["results/dataset/cases.html"])
    assert cases_page.count("<tr>") == patients + 1
    # Captions are filled in from the config.
    summary_caption = results["results/statistics/summary.tsv"]["caption"]
    assert "config/reported_results.yaml" in summary_caption and "p ≥ 0.05" in summary_caption
