"""Snakemake adapter: every stored window's PubMed replies and exports -> records.tsv."""

import logging
import sys

import pandas as pd

from reviewflow.errors import InputProblems
from reviewflow.io import write_json, write_table
from reviewflow.records import RECORD_COLUMNS
from reviewflow.windows import build_records


def main(sm) -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        handlers=[logging.FileHandler(sm.log[0]), logging.StreamHandler(sys.stderr)],
        force=True,
    )
    try:
        records, summaries, logs = build_records(
            sm.params.windows_dir,
            sm.params.windows,
            csv_columns=sm.params.csv_columns,
            export_patterns=sm.params.exports,
        )
    except InputProblems as error:
        logging.error("%s", error)
        sys.exit(str(error))
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
