"""Snakemake adapter: the descriptive table of every dataset column, with the sensitivity
columns -> descriptive.tsv, .md and .xlsx."""

import logging

from reviewflow.core.io import read_table, write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.analysis_file import load_analysed_cases
from reviewflow.statistics.descriptive import (
    NotReported,
    described_columns,
    descriptive_markdown,
    descriptive_table,
    write_descriptive_xlsx,
)
from reviewflow.statistics.sensitivity import subsets

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    codebook, analysis, cases = load_analysed_cases(snakemake.input, snakemake.params.statistics)
    columns = described_columns(codebook.columns, analysis.skip, codebook.primary_key)
    found = subsets(cases, analysis.sensitivity, snakemake.input.cases)
    declared = snakemake.input.not_reported  # [] when the codebook declares no meaning
    meanings = NotReported(
        tuple(codebook.not_reported),
        read_table(declared[0]) if declared else None,
        codebook.primary_key,
    )
    table = descriptive_table(cases, columns, analysis.settings, found, meanings)
    write_table(table, snakemake.output.table)
    write_text(
        descriptive_markdown(table, len(cases), analysis.settings, found),
        snakemake.output.markdown,
    )
    write_descriptive_xlsx(table, snakemake.output.xlsx, found, len(cases))
logging.info("%d rows for %d columns of %d cases", len(table), len(columns), len(cases))
