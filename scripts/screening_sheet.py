"""Rule screening_sheet: the records still to screen -> to_screen.xlsx and ASReview's CSV/RIS."""

import logging

from reviewflow.core.io import read_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.screening import asreview
from reviewflow.screening.decisions import (
    ScreeningSettings,
    check_outputs_outside,
    read_log,
    read_unique_records,
    states_from_log,
)
from reviewflow.screening.sheets import pending_states, write_to_screen

start_rule_log(snakemake.log[0])
log = logging.getLogger("screening_sheet")

with stop_on_input_problems():
    check_outputs_outside(snakemake.output, snakemake.params.decisions_dir)
    settings = ScreeningSettings.from_config(snakemake.params.settings)
    records = read_unique_records(snakemake.input.records)
    states = states_from_log(read_log(snakemake.input.log))
    related = read_table(snakemake.input.related)
written = write_to_screen(records, states, settings, snakemake.output.xlsx, related)
to_screen = records[
    records["record_id"].isin(set(pending_states(states, "title_abstract")["record_id"]))
]
asreview.write_csv(to_screen, snakemake.output.asreview_csv)
asreview.write_ris(to_screen, snakemake.output.asreview_ris)
log.info("rows to screen per stage: %s; ASReview export: %d records", written, len(to_screen))
