"""Rule extraction_template: the blank extraction workbook, generated from the codebook."""

import logging

from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.workbook import write_workbook

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    codebook = load_codebook(snakemake.input.codebook)
    write_workbook(codebook, snakemake.output[0])
logging.info("%s: blank template of %s", snakemake.output[0], codebook.path)
