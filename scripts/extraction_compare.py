"""Rule extraction_compare: the extractors' workbooks compared cell by cell (double extraction);
writes the disagreements (with their adjudication status) and the agreement per field."""

import logging

from reviewflow.core.io import write_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.extraction.double_extraction import (
    agreement_table,
    compare_and_settle,
    disagreement_table,
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
disagreements = disagreement_table(comparisons, settled, extractors)
write_table(disagreements, snakemake.output.disagreements)
write_table(agreement_table(comparisons, codebook, extractors), snakemake.output.agreement)
counts = disagreements["status"].value_counts().to_dict()
logging.info(
    "%d cells compared, %d in disagreement (%s)",
    len(comparisons),
    len(disagreements),
    ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none",
)
