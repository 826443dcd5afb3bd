"""Snakemake adapter: every figure declared in the reported-results file, from the dataset ->
summary.tsv."""

import logging

from reviewflow.cases_reader import read_cases
from reviewflow.codebook import load_codebook
from reviewflow.io import write_table
from reviewflow.recompute import compute_items, summary_frame
from reviewflow.reported import check_columns, read_declared
from reviewflow.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.stats import Settings

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    settings = Settings(
        quantile_method=snakemake.params.quantile_method,
        normality_alpha=snakemake.params.normality_alpha,
        outlier_iqr_factor=snakemake.params.outlier_iqr_factor,
    )
    declared = read_declared(snakemake.input.reported, snakemake.params.schema)
    cases = read_cases(
        snakemake.input.cases, load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    )
    check_columns(declared, cases.columns, snakemake.input.reported)
    summary = summary_frame(compute_items(cases, declared, settings))
    write_table(summary, snakemake.output.summary)
logging.info("%d cases -> %d figures in %s", len(cases), len(summary), snakemake.output.summary)
