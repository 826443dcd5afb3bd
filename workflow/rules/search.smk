# Stage: search. See ARCHITECTURE.md for its inputs and outputs.
#
# The windows are the stored folders resources/searches/<from>_<until>/ (never outputs of any
# rule, so never rebuilt) plus, with `--config search_until=YYYY-MM-DD` when no stored window
# ends on that day, one new window that search_fetch_pubmed fetches into its folder.
import os
import re

from reviewflow.core.errors import InputProblems
from reviewflow.core.first_version import read_first_version
from reviewflow.core.rule_inputs import new_window, search_inputs, stored_windows

SEARCH_DIR = config["search"]["windows_dir"]
# the first version's file, read and checked by its one reader (every problem located)
try:
    SEARCH_FIRST_UNTIL = read_first_version(config["review"]["first_version"])["search"]["until"]
except InputProblems as _error:
    raise buildcheck.BuildStop("The first version's file cannot be used", _error.problems)
SEARCH_STORED = stored_windows(SEARCH_DIR)
SEARCH_NEW = new_window(
    SEARCH_STORED,
    SEARCH_FIRST_UNTIL,
    str(config.get("search_until") or ""),
    config["search"]["overlap_days"],
)
SEARCH_WINDOWS = [w.id for w in SEARCH_STORED] + ([SEARCH_NEW.id] if SEARCH_NEW else [])
# Only the new window may be fetched: a pattern that matches nothing when there is none.
SEARCH_FETCHABLE = re.escape(SEARCH_NEW.id) if SEARCH_NEW else "(?!)"

# Every file of the stored windows (so that an export a reviewer drops in later makes the import
# run again) and the search log of the window being fetched.
SEARCH_INPUTS = search_inputs(SEARCH_DIR, SEARCH_STORED, SEARCH_NEW)


rule search_fetch_pubmed:
    output:
        protected(f"{SEARCH_DIR}/{{window}}/search_log.json"),
    log:
        f"{LOGS}/search_fetch_pubmed/{{window}}.log",
    benchmark:
        f"{BENCHMARKS}/search_fetch_pubmed/{{window}}.tsv"
    wildcard_constraints:
        window=SEARCH_FETCHABLE,
    conda:
        "../../envs/search.yaml"
    resources:
        mem_mb=500,
        # minutes: the fetch gives up after search.pubmed.window_deadline_seconds
        runtime=int(config["search"]["pubmed"].get("window_deadline_seconds", 3600)) // 60 + 5,
    params:
        pubmed=config["search"]["pubmed"],
        windows_dir=lambda wildcards, output: os.path.dirname(os.path.dirname(output[0])),
    script:
        "../../scripts/search_fetch_pubmed.py"


# The import of every window and its summary in one job (issue 21: the summary was a second Python
# start for milliseconds of work, and it always followed the import).
rule search:
    input:
        windows=SEARCH_INPUTS,
        first_version=config["review"]["first_version"],
    output:
        records=report(
            f"{RESULTS}/search/records.tsv",
            caption="../report/search/records.rst",
            category=REPORT_SEARCH,
        ),
        summary=f"{RESULTS}/search/import_summary.json",
        counts=f"{RESULTS}/search/search_counts.json",
        report=report(
            f"{RESULTS}/search/search_report.md",
            caption="../report/search/search_report.rst",
            category=REPORT_SEARCH,
        ),
        report_page=report(
            f"{RESULTS}/search/search_report.html",
            caption="../report/search/search_report.rst",
            category=REPORT_SEARCH,
        ),
    log:
        f"{LOGS}/search/search.log",
    benchmark:
        f"{BENCHMARKS}/search.tsv"
    conda:
        "../../envs/search.yaml"
    resources:
        mem_mb=1000,
        runtime=10,
    params:
        windows_dir=SEARCH_DIR,
        windows=SEARCH_WINDOWS,
        csv_columns=config["search"]["csv_columns"],
        exports=config["search"]["exports"],
        page_titles={"report": "Search report (PRISMA-S)"},
        page_notes={},
    script:
        "../../scripts/search_stage.py"


SEARCH_TARGETS = [*rules.search.output]
