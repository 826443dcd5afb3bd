"""Snakemake adapter: the results of sections 4.1-4.6 from the dataset -> summary.tsv."""

import logging

from reviewflow.analysis import compute_items, summary_frame
from reviewflow.cases_reader import read_cases
from reviewflow.codebook import load_codebook
from reviewflow.io import write_table
from reviewflow.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.stats import Settings

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    settings = Settings.from_config(snakemake.params.settings)
    cases = read_cases(
        snakemake.input.cases, load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    )
    summary = summary_frame(compute_items(cases, settings))
    write_table(summary, snakemake.output.summary)
logging.info("%d cases -> %d figures in %s", len(cases), len(summary), snakemake.output.summary)
