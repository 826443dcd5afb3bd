"""Snakemake adapter: the characteristics table declared in the analysis file, with its
sensitivity columns -> characteristics.md and .xlsx."""

import logging

from reviewflow.core.io import write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.analysis_file import load_analysed_cases
from reviewflow.statistics.characteristics import (
    characteristics_markdown,
    characteristics_table,
    write_characteristics_xlsx,
)
from reviewflow.statistics.sensitivity import subsets

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    _, analysis, cases = load_analysed_cases(snakemake.input, snakemake.params.statistics)
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
