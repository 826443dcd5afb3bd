"""Snakemake adapter: the characteristics table declared in the analysis file, with its
sensitivity columns -> characteristics.md and .xlsx."""

import logging

from reviewflow.analysis_file import load_analysis, settings_disagreements
from reviewflow.cases_reader import read_cases
from reviewflow.characteristics import (
    characteristics_markdown,
    characteristics_table,
    write_characteristics_xlsx,
)
from reviewflow.codebook import load_codebook
from reviewflow.errors import raise_if_any
from reviewflow.io import write_text
from reviewflow.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.sensitivity import subsets

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    source = snakemake.input.analysis
    codebook = load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    analysis = load_analysis(source, codebook.columns, snakemake.input.schema)
    raise_if_any(
        source, settings_disagreements(analysis.settings, snakemake.params.statistics, source)
    )
    cases = read_cases(snakemake.input.cases, codebook)
    found = subsets(cases, analysis.sensitivity, snakemake.input.cases)
    table = characteristics_table(cases, analysis, found)
    write_text(
        characteristics_markdown(table, len(cases), analysis.settings, found),
        snakemake.output.markdown,
    )
    write_characteristics_xlsx(table, snakemake.output.xlsx, found, len(cases))
logging.info("%d rows for %d cases", len(table), len(cases))
for subset in found:
    logging.info("%s: n = %d (%s)", subset.name, subset.n, subset.note)
