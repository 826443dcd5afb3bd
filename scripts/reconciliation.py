"""Snakemake adapter: published figures vs the dataset -> reconciliation.tsv and .md."""

import logging

from reviewflow.core.io import write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.recompute import attach_raw_columns, compute_items
from reviewflow.statistics.reconcile import reconcile, reconciliation_frame, reconciliation_markdown
from reviewflow.statistics.reported import load_declared_cases

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    declared, cases, settings = load_declared_cases(snakemake.input, snakemake.params)
    cases, warnings = attach_raw_columns(cases, snakemake.input.raw, declared.raw_columns())
    for warning in warnings:
        logging.warning("%s", warning)
    rows = reconcile(compute_items(cases, declared, settings), declared.reported)
    write_table(reconciliation_frame(rows), snakemake.output.table)
    markdown = reconciliation_markdown(rows, snakemake.input.reported, declared.publication)
    write_text(markdown, snakemake.output.markdown)
for status in ("match", "differs", "not_derivable"):
    logging.info("%s: %d", status, sum(row.status == status for row in rows))
