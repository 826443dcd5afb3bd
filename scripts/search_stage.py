"""Snakemake adapter: the search stage's import and summary in one job (the summary was a second
Python start for milliseconds of work) ->
- records.tsv: every stored window's PubMed replies and exports, one schema;
- import_summary.json: what each file gave, and each window's search log;
- search_counts.json (v1 first) and the PRISMA-S search report (search_report.md), from the same
  summaries and logs, as the import returns them (the same as import_summary.json read back).
Fetching a new window is rule search_fetch_pubmed's (scripts/search_fetch_pubmed.py)."""

import logging

import pandas as pd

from reviewflow.core.first_version import read_first_version
from reviewflow.core.io import write_json, write_table, write_text
from reviewflow.core.records import RECORD_COLUMNS
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.report.pages import write_own_pages
from reviewflow.search.windows import build_records, search_counts, search_report

start_rule_log(snakemake.log[0], console=True)
output, params = snakemake.output, snakemake.params
with stop_on_input_problems():
    records, summaries, logs = build_records(
        params.windows_dir,
        params.windows,
        csv_columns=params.csv_columns,
        export_patterns=params.exports,
    )
    first_version = read_first_version(snakemake.input.first_version)
for summary in summaries:
    logging.info(
        "%s/%s: %s %s, %d records",
        summary.window,
        summary.file,
        summary.database,
        summary.format,
        summary.records,
    )
write_table(pd.DataFrame(records, columns=RECORD_COLUMNS, dtype=str), output.records)
write_json({"files": [s.as_dict() for s in summaries], "logs": logs}, output.summary)
logging.info("%d records from %d windows", len(records), len(params.windows))

counts = search_counts(first_version, logs, summaries)
write_json(counts, output.counts)
write_text(search_report(first_version, logs, summaries, counts), output.report)
logging.info("%d windows (v1 included)", len(counts["windows"]))

# the report's page of each file params.page_titles names (reviewflow.report.pages)
write_own_pages(
    snakemake.output,
    snakemake.params.page_titles,
    snakemake.params.page_notes,
)
