"""Snakemake adapter: one figure declared in the analysis file (wildcard `name`) -> SVG and PNG."""

import logging
from pathlib import Path

from reviewflow.analysis_file import load_analysis
from reviewflow.cases_reader import read_cases
from reviewflow.codebook import load_codebook
from reviewflow.figures import write_figure
from reviewflow.rulelog import start_rule_log, stop_on_input_problems

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    codebook = load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    analysis = load_analysis(snakemake.input.analysis, codebook.columns, snakemake.input.schema)
    cases = read_cases(snakemake.input.cases, codebook)
    written = write_figure(
        cases, analysis, snakemake.wildcards.name, Path(snakemake.output.svg).parent
    )
logging.info("wrote %s", ", ".join(map(str, written)))
