"""Rule extraction_read: validate the reviewers' workbook, write its raw values and cells."""

import logging

from reviewflow.core.io import write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.extraction.codebook import load_codebook
from reviewflow.extraction.workbook import read_workbook

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    codebook = load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    sheets = read_workbook(snakemake.input.workbook, codebook)
for name in ("cases", "studies"):
    write_table(sheets[name].to_frame(), snakemake.output[name])
    logging.info("%s: %d rows", snakemake.output[name], len(sheets[name].rows))
# the content digest taken when the workflow was read (workflow/lib/buildcheck.py)
write_text(snakemake.params.digest + "\n", snakemake.output.digest)
