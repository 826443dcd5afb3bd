"""Snakemake adapter: the results of sections 4.1-4.6 from the dataset -> summary.tsv."""

import logging

from reviewflow.analysis import compute_items, summary_frame
from reviewflow.cases_reader import read_cases
from reviewflow.errors import InputProblems
from reviewflow.io import write_table
from reviewflow.stats import Settings

logging.basicConfig(
    filename=snakemake.log[0], level=logging.INFO, format="%(levelname)s %(message)s"
)
try:
    settings = Settings.from_config(snakemake.params.settings)
    cases = read_cases(snakemake.input.cases)
    summary = summary_frame(compute_items(cases, settings))
except InputProblems as problems:
    logging.error("%s", problems)
    raise SystemExit(str(problems)) from None
write_table(summary, snakemake.output.summary)
logging.info("%d cases -> %d figures in %s", len(cases), len(summary), snakemake.output.summary)
