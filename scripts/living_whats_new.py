"""Snakemake adapter of rule living_whats_new: the build against the last published version
(reviewflow.living.whats_new)."""

import logging
from pathlib import Path

import pandas as pd

from reviewflow.core.io import write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.living.versions import last_version_folder, read_metadata
from reviewflow.living.whats_new import (
    WHATS_NEW_COLUMNS,
    Snapshot,
    compare,
    markdown,
    no_version_markdown,
    version_snapshot,
)
from reviewflow.report.pages import markdown_file_page

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    log = logging.getLogger("reviewflow.living.whats_new")
    current = "this build"
    if not last_version_folder(snakemake.input.version_files):
        table, text = pd.DataFrame(columns=WHATS_NEW_COLUMNS), no_version_markdown()
    else:
        folder = Path(last_version_folder(snakemake.input.version_files))
        meta = read_metadata(folder)
        previous = f"version {meta['number']} ({meta['date'] or 'date not given'})"
        build = Snapshot(
            label="this build",
            cases=Path(snakemake.input.cases),
            cases_raw=Path(snakemake.input.cases_raw),
            studies=Path(snakemake.input.studies),
            summary=Path(snakemake.input.summary),
            reconciliation=Path(snakemake.input.reconciliation),
            descriptive=Path(snakemake.input.descriptive[0])
            if snakemake.input.descriptive
            else None,
            search_counts=Path(snakemake.input.search_counts),
            records=Path(snakemake.input.records),
        )
        table, notes = compare(
            version_snapshot(folder), build, Path(snakemake.input.unique_records)
        )
        text = markdown(table, notes, previous=previous, current=current)
        changed = table["change"].isin(("new", "removed", "changed")).sum()
        log.info("compared with %s: %d of %d rows changed", previous, changed, len(table))
    write_table(table, snakemake.output.tsv)
    write_text(text, snakemake.output.md)
    markdown_file_page(snakemake.output.md, snakemake.output.html, "What's new")
