"""Rule appraisal_methods: the methods text of data extraction and critical appraisal
(results/appraisal/methods.md), from the workflow's own tables."""

import logging

import pandas as pd

from reviewflow.appraisal.appraise import load_checklist
from reviewflow.appraisal.methods_text import (
    appraisal_methods,
    extraction_methods,
    methods_markdown,
)
from reviewflow.core.io import read_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    checklist = load_checklist(snakemake.input.checklist)
if snakemake.params.extractors:
    agreement = pd.read_csv(snakemake.input.extraction_agreement[0], sep="\t")
    disagreements = read_table(snakemake.input.extraction_disagreements[0])
else:
    agreement = disagreements = None
extraction = extraction_methods(
    snakemake.params.extractors, snakemake.params.workbook, agreement, disagreements
)
appraisal = appraisal_methods(
    checklist,
    snakemake.params.appraisers,
    read_table(snakemake.input.table),
    pd.read_csv(snakemake.input.agreement, sep="\t"),
    read_table(snakemake.input.conflicts),
)
write_text(methods_markdown(extraction, appraisal), snakemake.output[0])
logging.info("%s written", snakemake.output[0])
