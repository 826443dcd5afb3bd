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


def main(sm) -> None:
    start_rule_log(sm.log[0])
    extractors = list(sm.params.workbooks)
    with stop_on_input_problems():
        codebook, comparisons, settled = compare_and_settle(
            sm.params.workbooks, sm.params.adjudication, sm.input.codebook, sm.input.vocabulary
        )
    disagreements = disagreement_table(comparisons, settled, extractors)
    write_table(disagreements, sm.output.disagreements)
    write_table(agreement_table(comparisons, codebook, extractors), sm.output.agreement)
    counts = disagreements["status"].value_counts().to_dict()
    logging.info(
        "%d cells compared, %d in disagreement (%s)",
        len(comparisons),
        len(disagreements),
        ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "none",
    )


main(snakemake)
