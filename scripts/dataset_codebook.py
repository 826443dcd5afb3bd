"""Rule dataset_codebook: the data dictionary (codebook.md) from the codebook and vocabulary."""

import logging

from reviewflow.core.io import write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.dataset.build import data_dictionary
from reviewflow.extraction.codebook import load_codebook

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    codebook = load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    vocabulary = codebook.vocabulary
    write_text(data_dictionary(codebook, vocabulary), snakemake.output[0])
logging.info("%s: %d columns", snakemake.output[0], len(codebook.columns))
