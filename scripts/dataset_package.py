"""Rule dataset_package: datapackage.json, written only once it validates cases.csv."""

import logging

from reviewflow.codebook import load_codebook
from reviewflow.dataset import write_package
from reviewflow.rulelog import start_rule_log, stop_on_input_problems

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    codebook = load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    write_package(codebook, snakemake.params.title, snakemake.input.cases, snakemake.output[0])
logging.info("%s: valid for %s", snakemake.output[0], snakemake.input.cases)
