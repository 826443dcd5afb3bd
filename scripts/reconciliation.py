"""Snakemake adapter: published figures vs the dataset -> reconciliation.tsv and .md."""

import logging

from reviewflow.analysis import compute_items
from reviewflow.cases_reader import attach_raw_treatment, read_cases
from reviewflow.codebook import load_codebook
from reviewflow.io import write_table, write_text
from reviewflow.reconcile import reconcile, reconciliation_frame, reconciliation_markdown
from reviewflow.reported import read_reported
from reviewflow.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.stats import Settings

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    settings = Settings.from_config(snakemake.params.settings)
    cases = read_cases(
        snakemake.input.cases, load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    )
    cases, warning = attach_raw_treatment(cases, snakemake.input.raw, settings.raw_treatment_column)
    if warning:
        logging.warning("%s", warning)
    items = compute_items(cases, settings)
    reported = read_reported(snakemake.input.reported, [item.key for item in items])
    rows = reconcile(items, reported, len(cases))
    write_table(reconciliation_frame(rows), snakemake.output.table)
    write_text(reconciliation_markdown(rows, snakemake.input.reported), snakemake.output.markdown)
for status in ("match", "differs", "not_derivable"):
    logging.info("%s: %d", status, sum(row.status == status for row in rows))
