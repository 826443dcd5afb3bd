"""Rule extraction_agreed (double extraction, in place of extraction_read): the raw tables
results/extraction/cases.tsv and studies.tsv built from the extractors' agreed values and the
adjudications; a disagreement still open stops the build with the list."""

import logging

from reviewflow.core.io import write_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.extraction.double_extraction import (
    agreed_sheets,
    compare_and_settle,
)


def main(sm) -> None:
    start_rule_log(sm.log[0])
    extractors = list(sm.params.workbooks)
    with stop_on_input_problems():
        codebook, comparisons, settled = compare_and_settle(
            sm.params.workbooks, sm.params.adjudication, sm.input.codebook, sm.input.vocabulary
        )
        sheets = agreed_sheets(comparisons, settled, codebook, extractors)
    for name in ("cases", "studies"):
        write_table(sheets[name].to_frame(), sm.output[name])
        logging.info(
            "%s: %d rows (agreed by %s)",
            sm.output[name],
            len(sheets[name].rows),
            " and ".join(extractors),
        )


main(snakemake)
