"""The prisma rule end to end in a temporary copy of the workflow: hand-made upstream files in the
stages' contract paths (the upstream rules are left out with --allowed-rules), then the diagram,
the counts file, the HTML report, and a build that stops on counts that do not add up."""

import csv
import json

import pytest

from tests.e2e.conftest import run_snakemake
from tests.unit.test_prisma import write_upstream

pytestmark = pytest.mark.e2e

TARGETS = [
    "results/prisma/prisma_counts.csv",
    "results/prisma/prisma.svg",
    "results/prisma/prisma.pdf",
    "results/prisma/prisma.png",
    "results/prisma/prisma_checks.html",
]
ONLY_PRISMA = [*TARGETS, "--allowed-rules", "prisma"]  # targets first: --allowed-rules takes a list


def counts_file(workdir) -> dict[str, str]:
    with open(workdir / "results/prisma/prisma_counts.csv", newline="", encoding="utf-8") as f:
        return {row["data"]: row["n"] for row in csv.DictReader(f) if row["data"] != "NA"}


def test_first_version_diagram_counts_and_report(workflow_dir):
    write_upstream(workflow_dir)
    run_snakemake(workflow_dir, *ONLY_PRISMA)
    for target in TARGETS:
        assert (workflow_dir / target).stat().st_size > 0, target
    n = counts_file(workflow_dir)
    assert (n["database_results"], n["duplicates"], n["records_screened"]) == ("362", "140", "222")
    assert n["records_excluded"] == "NA"
    assert n["dbr_excluded"] == "Irrelevant records and incomplete reports, 172"
    assert (n["new_studies"], n["total_studies"], n["previous_studies"]) == ("50", "50", "NA")
    svg = (workflow_dir / "results/prisma/prisma.svg").read_text()
    assert "Identification of studies via databases" in svg
    assert "Records excluded (not reported)" in svg
    assert "Patients (n = 55)" in svg
    assert "Previous studies" not in svg
    log = (workflow_dir / "results/logs/prisma/prisma.log").read_text()
    assert "PRISMA 2020 flow diagram: new review" in log
    assert "SKIPPED  screened - excluded = sought: Records excluded is not reported" in log
    assert "layout: every text measured inside its box" in log

    run_snakemake(workflow_dir, "--report", "results/report.html", *ONLY_PRISMA)
    report = (workflow_dir / "results/report.html").read_text()
    assert "PRISMA 2020 flow diagram" in report  # the category of the prisma outputs
    assert "prisma.svg" in report and "prisma_checks.html" in report


def test_update_window_draws_the_updated_review(workflow_dir):
    write_upstream(workflow_dir, updated=True)
    run_snakemake(workflow_dir, *ONLY_PRISMA)
    n = counts_file(workflow_dir)
    assert (n["previous_studies"], n["previous_reports"]) == ("50", "50")
    assert (n["database_results"], n["duplicates"], n["records_screened"]) == ("44", "16", "26")
    assert n["dbr_excluded"] == "Not IgG4-related disease, 1; No spinal involvement, 1"
    assert (n["new_studies"], n["total_studies"], n["total_reports"]) == ("3", "53", "53")
    svg = (workflow_dir / "results/prisma/prisma.svg").read_text()
    for text in (
        "Previous studies",
        "Identification of new studies via databases",
        "Search dates: 2024-10-01 to 2025-06-30",
        "Total studies included in review (n = 53)",
        "Patients (n = 59)",
    ):
        assert text in svg
    log = (workflow_dir / "results/logs/prisma/prisma.log").read_text()
    assert "PRISMA 2020 flow diagram: updated review" in log
    assert "OK       update: assessed - excluded = included" in log


def test_counts_that_do_not_add_up_stop_the_build(workflow_dir):
    write_upstream(workflow_dir, updated=True)
    path = workflow_dir / "results/screening/counts.json"
    screening = json.loads(path.read_text())
    screening["update"]["reports_assessed"] = 4
    path.write_text(json.dumps(screening))
    proc = run_snakemake(workflow_dir, *ONLY_PRISMA, check=False)
    assert proc.returncode != 0
    said = proc.stdout + proc.stderr
    assert "update: sought - not retrieved = assessed" in said
    assert "Reports not retrieved (n = 1) = 5, but Reports assessed for eligibility is 4" in said
    assert not (workflow_dir / "results/prisma/prisma.svg").exists()
    assert (
        "Reports assessed for eligibility is 4"
        in (workflow_dir / "results/logs/prisma/prisma.log").read_text()
    )
