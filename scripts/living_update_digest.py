"""Snakemake adapter of rule living_update_digest: what the search windows since the last
published version brought (reviewflow.living.digest), as Markdown for a pull request."""

import json
import logging
from pathlib import Path

from reviewflow.core.io import write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.living.digest import build_digest
from reviewflow.living.versions import FIRST_WINDOW, METADATA, read_metadata
from reviewflow.report.pages import markdown_file_page


def version_dir(files) -> str:
    """The folder of the last published version (the one holding its version.json), or ""."""
    return next((str(Path(f).parent) for f in files if Path(f).name == METADATA), "")


def main(sm) -> None:
    start_rule_log(sm.log[0])
    with open(sm.input.search_counts, encoding="utf-8") as handle:
        windows = [w["window"] for w in json.load(handle)["windows"]]
    if version_dir(sm.input.version_files):
        meta = read_metadata(version_dir(sm.input.version_files))
        covered, since = set(meta["windows"]), f"version {meta['number']}"
    else:
        covered, since = {FIRST_WINDOW}, "the first version"
    new = [w for w in windows if w not in covered]
    counts, text = build_digest(
        records_path=sm.input.records,
        duplicates_path=sm.input.duplicates,
        unique_path=sm.input.unique_records,
        log_path=sm.input.log,
        windows=new,
        since=since,
    )
    write_table(counts, sm.output.tsv)
    write_text(text, sm.output.md)
    markdown_file_page(sm.output.md, sm.output.html, "Search update digest")
    logging.info("windows since %s: %s", since, ", ".join(new) or "none")


with stop_on_input_problems():
    main(snakemake)
