"""Snakemake adapter: the review's figures (SVG and PNG) from the dataset."""

import logging
from pathlib import Path

from reviewflow.cases_reader import read_cases
from reviewflow.codebook import load_codebook
from reviewflow.figures import write_figures
from reviewflow.rulelog import start_rule_log, stop_on_input_problems

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    cases = read_cases(
        snakemake.input.cases, load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    )
    written = write_figures(cases, Path(snakemake.output.svg[0]).parent)
expected = {Path(p) for p in [*snakemake.output.svg, *snakemake.output.png]}
missing = expected - set(written)
if missing:
    raise SystemExit(f"figures not drawn: {', '.join(sorted(map(str, missing)))}")
logging.info("wrote %s", ", ".join(map(str, written)))
