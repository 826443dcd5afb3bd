"""Snakemake adapter: every figure declared in the analysis file -> SVG and PNG, in one job."""

import logging
from pathlib import Path

from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.analysis_file import load_analysed_cases
from reviewflow.statistics.figures import write_figures

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    codebook, analysis, cases = load_analysed_cases(snakemake.input)
    written = write_figures(cases, analysis, Path(snakemake.output.svg[0]).parent)
logging.info("wrote %s", ", ".join(map(str, written)))
