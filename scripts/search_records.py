"""Snakemake adapter: every stored window's PubMed replies and exports -> records.tsv."""

import logging

import pandas as pd

from reviewflow.core.io import write_json, write_table
from reviewflow.core.records import RECORD_COLUMNS
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.search.windows import build_records


def main(sm) -> None:
    start_rule_log(sm.log[0], console=True)
    with stop_on_input_problems():
        records, summaries, logs = build_records(
            sm.params.windows_dir,
            sm.params.windows,
            csv_columns=sm.params.csv_columns,
            export_patterns=sm.params.exports,
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
    write_table(pd.DataFrame(records, columns=RECORD_COLUMNS, dtype=str), sm.output.records)
    write_json({"files": [s.as_dict() for s in summaries], "logs": logs}, sm.output.summary)
    logging.info("%d records from %d windows", len(records), len(sm.params.windows))


main(snakemake)
