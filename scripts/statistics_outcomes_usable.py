"""Snakemake adapter: the usable-n table of every outcome analysis (from their JSON contracts) ->
outcomes_usable_n.tsv: how many patients each used, and each patient left out with the reasons."""

import logging

from reviewflow.core.io import read_json, write_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.outcomes.page import usable_table

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    table = usable_table([read_json(path) for path in snakemake.input.contracts])
    write_table(table, snakemake.output.table)
logging.info("%d rows for %d analyses", len(table), len(snakemake.input.contracts))
