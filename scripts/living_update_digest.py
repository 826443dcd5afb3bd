"""Snakemake adapter of rule living_update_digest: what the search windows since the last
published version brought (reviewflow.living.digest), as Markdown for a pull request."""

import json
import logging

from reviewflow.core.io import write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.living.digest import build_digest
from reviewflow.living.versions import FIRST_WINDOW, last_version_folder, read_metadata
from reviewflow.report.pages import markdown_file_page

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    with open(snakemake.input.search_counts, encoding="utf-8") as handle:
        windows = [w["window"] for w in json.load(handle)["windows"]]
    if last_version_folder(snakemake.input.version_files):
        meta = read_metadata(last_version_folder(snakemake.input.version_files))
        covered, since = set(meta["windows"]), f"version {meta['number']}"
    else:
        covered, since = {FIRST_WINDOW}, "the first version"
    new = [w for w in windows if w not in covered]
    counts, text = build_digest(
        records_path=snakemake.input.records,
        duplicates_path=snakemake.input.duplicates,
        unique_path=snakemake.input.unique_records,
        log_path=snakemake.input.log,
        windows=new,
        since=since,
    )
    write_table(counts, snakemake.output.tsv)
    write_text(text, snakemake.output.md)
    markdown_file_page(snakemake.output.md, snakemake.output.html, "Search update digest")
    logging.info("windows since %s: %s", since, ", ".join(new) or "none")
