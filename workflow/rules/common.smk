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

RESULTS = "results"
LOGS = f"{RESULTS}/logs"
BENCHMARKS = f"{RESULTS}/benchmarks"

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
