"""Rule extraction_agreed (double extraction; single extraction's workbook is read by rule
dataset_harmonise): the raw tables results/extraction/cases.tsv and studies.tsv built from the
extractors' agreed values and the adjudications; a disagreement still open stops the build with
the list."""

import logging

from reviewflow.core.io import write_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.extraction.double_extraction import (
    agreed_sheets,
    compare_and_settle,
)

start_rule_log(snakemake.log[0])
extractors = list(snakemake.params.workbooks)
with stop_on_input_problems():
    codebook, comparisons, settled = compare_and_settle(
        snakemake.params.workbooks,
        snakemake.params.adjudication,
        snakemake.input.codebook,
        snakemake.input.vocabulary,
    )
    sheets = agreed_sheets(comparisons, settled, codebook, extractors)
for name in ("cases", "studies"):
    write_table(sheets[name].to_frame(), snakemake.output[name])
    logging.info(
        "%s: %d rows (agreed by %s)",
        snakemake.output[name],
        len(sheets[name].rows),
        " and ".join(extractors),
    )
