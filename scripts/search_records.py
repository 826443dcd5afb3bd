"""Snakemake adapter: every stored window's PubMed replies and exports -> records.tsv."""

import logging

import pandas as pd

from reviewflow.core.io import write_json, write_table
from reviewflow.core.records import RECORD_COLUMNS
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.search.windows import build_records

start_rule_log(snakemake.log[0], console=True)
with stop_on_input_problems():
    records, summaries, logs = build_records(
        snakemake.params.windows_dir,
        snakemake.params.windows,
        csv_columns=snakemake.params.csv_columns,
        export_patterns=snakemake.params.exports,
    )
for summary in summaries:
    logging.info(
        "%s/%s: %s %s, %d records",
        summary.window,
        summary.file,
        summary.database,
        summary.format,
        summary.records,
    )
write_table(pd.DataFrame(records, columns=RECORD_COLUMNS, dtype=str), snakemake.output.records)
write_json({"files": [s.as_dict() for s in summaries], "logs": logs}, snakemake.output.summary)
logging.info("%d records from %d windows", len(records), len(snakemake.params.windows))
