"""Only what the review declared (issue 19): a one-off, PubMed-only review started with
`reviewflow new-review` under a title with an emoji draws its PRISMA diagram with PubMed alone,
a null count as "not reported", and never calls itself a living review."""

import subprocess
import sys

import pytest

from .conftest import REPO, run_snakemake

pytestmark = pytest.mark.e2e

TITLE = "Zebra bites 🦓: a one-off review of case reports"
PUBMED_ONLY = """\
source: "A PubMed-only case series"
search:
  reported: true
  until: "2024-12-31"
  databases:
    - name: PubMed
      records: 10
  records_total: 10
dedup:
  duplicates_removed: 2
screening:
  records_screened: 8
  records_excluded: 4
  reports_sought: 4
  reports_not_retrieved: 0
  reports_assessed: 4
  reports_excluded: null
included:
  studies: 2
  reports: 2
  patients: 3
"""


def test_pubmed_only_review_with_an_emoji_title_draws_what_it_declared(tmp_path):
    review = tmp_path / "zebra"
    made = subprocess.run(
        [sys.executable, "-m", "reviewflow.cli", "new-review", str(review), "--title", TITLE],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    (review / "config" / "first_version.yaml").write_text(PUBMED_ONLY, encoding="utf-8")
    run_snakemake(review, "-s", str(REPO / "Snakefile"), "results/prisma/prisma.svg")

    prisma = review / "results" / "prisma"
    svg = (prisma / "prisma.svg").read_text(encoding="utf-8")
    assert "PubMed (n = 10)" in svg
    assert "Web of Science" not in svg and "Embase" not in svg
    assert "Reports excluded (not reported)" in svg and "Reports excluded (n = 0)" not in svg
    assert TITLE in (prisma / "prisma_checks.html").read_text(encoding="utf-8")
    assert (prisma / "prisma.pdf").stat().st_size > 0 and (prisma / "prisma.png").is_file()

    # a one-off review (no config/versions.yaml, no `living:`): its report never says "living"
    snakefile = str(REPO / "Snakefile")
    run_snakemake(
        review, "-s", snakefile, "--report", "results/report.html", "results/prisma/prisma.svg"
    )
    report = (review / "results" / "report.html").read_text(encoding="utf-8")
    assert "systematic review of case reports, rebuilt end to end" in report
    assert "living systematic review" not in report.lower()
    assert "living review" not in report.lower()
