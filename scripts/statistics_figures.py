"""Snakemake adapter: one figure declared in the analysis file (wildcard `name`) -> SVG and PNG."""

import logging
from pathlib import Path

from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.analysis_file import load_analysed_cases
from reviewflow.statistics.figures import write_figure

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    codebook, analysis, cases = load_analysed_cases(snakemake.input)
    written = write_figure(
        cases, analysis, snakemake.wildcards.name, Path(snakemake.output.svg).parent
    )
logging.info("wrote %s", ", ".join(map(str, written)))
