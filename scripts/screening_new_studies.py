"""Rule screening_new_studies: studies included in a later window -> rows for the workbook."""

import logging

from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.core.studies import read_studies
from reviewflow.screening.decisions import (
    check_outputs_outside,
    read_log,
    read_unique_records,
    states_from_log,
)
from reviewflow.screening.sheets import new_studies, write_new_studies

start_rule_log(snakemake.log[0])
log = logging.getLogger("screening_new_studies")

with stop_on_input_problems():
    check_outputs_outside(snakemake.output, snakemake.params.decisions_dir)
    records = read_unique_records(snakemake.input.records)
    states = states_from_log(read_log(snakemake.input.log))
    template, summary = new_studies(records, states, read_studies(snakemake.input.studies))
write_new_studies(template, snakemake.output.tsv, snakemake.output.xlsx)
log.info("%s", summary)
