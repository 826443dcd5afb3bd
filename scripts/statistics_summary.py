"""Snakemake adapter: every figure declared in the reported-results file, computed once from the
dataset -> summary.tsv, and items.json (every figure with its readings) for the reconciliation."""

import logging

from reviewflow.core.io import write_json, write_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.recompute import (
    attach_raw_columns,
    compute_items,
    items_document,
    summary_frame,
)
from reviewflow.statistics.reported import load_declared_cases

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    declared, cases, settings = load_declared_cases(snakemake.input, snakemake.params)
    cases, warnings = attach_raw_columns(cases, snakemake.input.raw, declared.raw_columns())
    for warning in warnings:
        logging.warning("%s", warning)
    items = compute_items(cases, declared, settings)
    summary = summary_frame(items)
write_table(summary, snakemake.output.summary)
write_json(items_document(items), snakemake.output.computed)
logging.info("%d cases -> %d figures in %s", len(cases), len(summary), snakemake.output.summary)
