"""Snakemake adapter: the review's figures (SVG and PNG) from the dataset."""

import logging
from pathlib import Path

from reviewflow.cases_reader import read_cases
from reviewflow.errors import InputProblems
from reviewflow.figures import write_figures

logging.basicConfig(
    filename=snakemake.log[0], level=logging.INFO, format="%(levelname)s %(message)s"
)
try:
    cases = read_cases(snakemake.input.cases)
except InputProblems as problems:
    logging.error("%s", problems)
    raise SystemExit(str(problems)) from None
written = write_figures(cases, Path(snakemake.output.svg[0]).parent)
expected = {Path(p) for p in [*snakemake.output.svg, *snakemake.output.png]}
missing = expected - set(written)
if missing:
    raise SystemExit(f"figures not drawn: {', '.join(sorted(map(str, missing)))}")
logging.info("wrote %s", ", ".join(map(str, written)))
