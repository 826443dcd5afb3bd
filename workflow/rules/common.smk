# Shared helpers for all rule files: nothing stage-specific lives here.
import sys
from pathlib import Path

# The library lives in scripts/reviewflow; it is normally installed with `pip install -e .`,
# this makes rule files work from a plain checkout too.
sys.path.insert(0, str(WORKFLOW_DIR / "scripts"))
from reviewflow import deployment

# The library's own files (dedup_rules.yaml): scripts/reviewflow/ of a checkout, the installed
# package otherwise (reviewflow.deployment).
LIBRARY_DIR = deployment.PACKAGE

# A rule input or param among the workflow's and the library's own files is given by
# buildcheck.short_path: relative to the review's folder when inside it (the first review's
# checkout), so that the folder copied or moved elsewhere with its results reruns nothing;
# absolute otherwise (the installed package of a folder made by `reviewflow new-review`).

RESULTS = "results"
LOGS = f"{RESULTS}/logs"
BENCHMARKS = f"{RESULTS}/benchmarks"
# A copy of what a job made once per content (figures, outcome analyses' contracts, checklists),
# with the key of what it was made from (not an output: Snakemake removes outputs before a job
# runs); one whose content did not change is copied from there, not made again
# (reviewflow.core.content_keys).
CONTENT_CACHE = f"{RESULTS}/cache"

# The studies table, read by dedup, screening, appraisal and living. When it was written from the
# studies sheet, codebook and vocabulary that are there now (their digest: line 2 of the digest
# file dataset_harmonise writes), reading them again gives the same table: its time stamp is then
# ignored (ancient), so that a patient's cell edited re-runs nothing before the extraction.
# Single extraction (one workbook, extraction.workbook) unless extraction.extractors lists the
# extractors of a double extraction (double_extraction.smk).
SINGLE_EXTRACTION = not config["extraction"].get("extractors")
EXTRACTION_STUDIES = f"{RESULTS}/extraction/studies.tsv"
EXTRACTION_STUDIES_CONTENT = buildcheck.sheet_digest(
    config["extraction"]["workbook"],
    "studies",
    [config["extraction"]["codebook"], config["dataset"]["vocabulary"]],
)
if SINGLE_EXTRACTION and buildcheck.studies_unchanged(
    f"{RESULTS}/extraction/workbook_digest.txt", EXTRACTION_STUDIES_CONTENT, EXTRACTION_STUDIES
):
    EXTRACTION_STUDIES = ancient(EXTRACTION_STUDIES)

# Report pages: the review's HTML report (`snakemake --report results/report.html`) shows images,
# PDFs and HTML inline but offers TSV, CSV, Markdown and JSON only as downloads. So every table or
# document a reader of the review reads is also written, next to it, as a small self-contained
# HTML page (reviewflow.report.pages), which carries the caption of the file it shows. The job
# that writes a file writes its page (output `<name>_page` of output `<name>`, titled by the
# rule's params.page_titles): a page takes milliseconds, a job of its own a Python start and the
# pandas import, and a rebuilt file's page is rebuilt with it (issue 21).

# Categories of the HTML report (`snakemake --report results/report.html`), numbered in the order
# the data flow because the report's menu sorts them by name. No category may be called
# "Statistics" or "Workflow": the report already has link targets of those names, and docutils
# would warn about a duplicate target in every caption.
REPORT_SEARCH = "1. Search"
REPORT_DEDUP = "2. Deduplication"
REPORT_SCREENING = "3. Screening"
REPORT_DATASET = "4. Dataset"
REPORT_STATISTICS = "5. Statistics"
REPORT_FIGURES = "6. Figures"
REPORT_PRISMA = "7. PRISMA 2020 flow diagram"
REPORT_LIVING = "8. Living review"
REPORT_REPORTING = "9. Reporting checklists"
