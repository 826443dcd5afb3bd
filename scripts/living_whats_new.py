"""Snakemake adapter of rule living_whats_new: the build against the last published version
(reviewflow.living.whats_new)."""

import logging
from pathlib import Path

import pandas as pd

from reviewflow.core.io import write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.living.versions import METADATA, read_metadata
from reviewflow.living.whats_new import (
    WHATS_NEW_COLUMNS,
    Snapshot,
    compare,
    markdown,
    no_version_markdown,
    version_snapshot,
)
from reviewflow.report.pages import markdown_file_page


def version_dir(files) -> str:
    """The folder of the last published version (the one holding its version.json), or ""."""
    return next((str(Path(f).parent) for f in files if Path(f).name == METADATA), "")


def main(sm) -> None:
    start_rule_log(sm.log[0])
    log = logging.getLogger("reviewflow.living.whats_new")
    current = "this build"
    if not version_dir(sm.input.version_files):
        table, text = pd.DataFrame(columns=WHATS_NEW_COLUMNS), no_version_markdown()
    else:
        folder = Path(version_dir(sm.input.version_files))
        meta = read_metadata(folder)
        previous = f"version {meta['number']} ({meta['date'] or 'date not given'})"
        build = Snapshot(
            label="this build",
            cases=Path(sm.input.cases),
            cases_raw=Path(sm.input.cases_raw),
            studies=Path(sm.input.studies),
            summary=Path(sm.input.summary),
            reconciliation=Path(sm.input.reconciliation),
            descriptive=Path(sm.input.descriptive[0]) if sm.input.descriptive else None,
            search_counts=Path(sm.input.search_counts),
            records=Path(sm.input.records),
        )
        table, notes = compare(version_snapshot(folder), build, Path(sm.input.unique_records))
        text = markdown(table, notes, previous=previous, current=current)
        changed = table["change"].isin(("new", "removed", "changed")).sum()
        log.info("compared with %s: %d of %d rows changed", previous, changed, len(table))
    write_table(table, sm.output.tsv)
    write_text(text, sm.output.md)
    markdown_file_page(sm.output.md, sm.output.html, "What's new")


with stop_on_input_problems():
    main(snakemake)
