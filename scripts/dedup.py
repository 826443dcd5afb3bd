"""Snakemake adapter of the `dedup` rule: reviewflow.dedup.tables does the work."""

import json
import logging

from reviewflow.core.first_version import read_first_version
from reviewflow.core.io import write_json, write_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.core.studies import read_studies
from reviewflow.dedup.tables import read_records, run_stage, search_windows, studies_as_records
from reviewflow.report.pages import write_own_pages

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    first_version = read_first_version(snakemake.input.first_version)
    with open(snakemake.input.search_counts, encoding="utf-8") as handle:
        windows = search_windows(json.load(handle), snakemake.input.search_counts)
    outputs = run_stage(
        read_records(snakemake.input.records),
        studies_as_records(read_studies(snakemake.input.studies)),
        snakemake.input.decisions,
        first_version,
        windows=windows,
        records_source=snakemake.input.records,
    )
write_table(outputs.unique_records, snakemake.output.unique)
write_table(outputs.duplicates, snakemake.output.duplicates)
write_table(outputs.uncertain_pairs, snakemake.output.uncertain)
write_json(outputs.counts, snakemake.output.counts)
write_table(outputs.related_versions, snakemake.output.related)
for entry in outputs.counts["windows"]:
    logging.info("%s", entry)
logging.info(
    "%d unique records, %d duplicates, %d uncertain pairs, %d related versions",
    len(outputs.unique_records),
    len(outputs.duplicates),
    len(outputs.uncertain_pairs),
    len(outputs.related_versions),
)

# the report's page of each file params.page_titles names (reviewflow.report.pages)
write_own_pages(
    snakemake.output,
    snakemake.params.page_titles,
    snakemake.params.page_notes,
)
