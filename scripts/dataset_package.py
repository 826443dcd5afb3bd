"""Rule dataset_package: datapackage.json, written only once it validates cases.csv."""

import logging

from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.dataset.build import write_package
from reviewflow.extraction.codebook import load_codebook

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    codebook = load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    write_package(codebook, snakemake.params.title, snakemake.input.cases, snakemake.output[0])
logging.info("%s: valid for %s", snakemake.output[0], snakemake.input.cases)
