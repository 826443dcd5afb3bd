"""Snakemake adapter: every figure declared in the reported-results file, from the dataset ->
summary.tsv."""

import logging

from reviewflow.core.io import write_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.recompute import compute_items, summary_frame
from reviewflow.statistics.reported import load_declared_cases

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    declared, cases, settings = load_declared_cases(snakemake.input, snakemake.params)
    summary = summary_frame(compute_items(cases, declared, settings))
    write_table(summary, snakemake.output.summary)
logging.info("%d cases -> %d figures in %s", len(cases), len(summary), snakemake.output.summary)
