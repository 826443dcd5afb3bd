"""Snakemake adapter: search_counts.json (v1 first) and the PRISMA-S search report."""

import json
import logging

from reviewflow.core.first_version import read_first_version
from reviewflow.core.io import write_json, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.search.windows import FileSummary, search_counts, search_report

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    first_version = read_first_version(snakemake.input.first_version)
with open(snakemake.input.summary, encoding="utf-8") as handle:
    imported = json.load(handle)
summaries = [FileSummary(**entry) for entry in imported["files"]]
counts = search_counts(first_version, imported["logs"], summaries)
write_json(counts, snakemake.output.counts)
write_text(
    search_report(first_version, imported["logs"], summaries, counts), snakemake.output.report
)
logging.info("%d windows (v1 included)", len(counts["windows"]))
