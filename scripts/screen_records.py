"""Rule screen_records: decisions + unique records -> log, conflicts, agreement, counts."""

import logging

from reviewflow.core.first_version import read_first_version
from reviewflow.core.io import write_json, write_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.core.studies import read_studies
from reviewflow.screening.decisions import (
    ScreeningSettings,
    build_counts,
    check_outputs_outside,
    read_unique_records,
    record_id_index,
    screen,
)
from reviewflow.screening.folder import read_decisions
from reviewflow.screening.sheets import new_studies

start_rule_log(snakemake.log[0])
log = logging.getLogger("screen_records")

with stop_on_input_problems():
    check_outputs_outside(snakemake.output, snakemake.params.decisions_dir)
    settings = ScreeningSettings.from_config(snakemake.params.settings)
    records = read_unique_records(snakemake.input.records)
    decisions = read_decisions(snakemake.params.decisions_dir, record_id_index(records), settings)
    first_version = read_first_version(snakemake.input.first_version)
    result = screen(records, decisions, settings)
    _, workbook = new_studies(records, result.states, read_studies(snakemake.input.studies))
    counts = build_counts(result, first_version, settings, workbook=workbook)

write_table(result.log, snakemake.output.log)
write_table(result.conflicts, snakemake.output.conflicts)
write_table(result.agreement_table, snakemake.output.agreement)
write_json(counts, snakemake.output.counts)
log.info(
    "%d records, %d decisions, %d conflicts", len(records), len(decisions), len(result.conflicts)
)
for stage, figures in result.agreement.items():
    log.info(
        "agreement at %s: %d records decided by two reviewers, raw agreement %s, Cohen's kappa %s",
        stage,
        figures["records"],
        figures["raw_agreement"],
        figures["kappa"],
    )
log.info("counts: %s", counts)
