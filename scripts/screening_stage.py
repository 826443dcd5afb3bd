"""Snakemake adapter: the screening stage in one job (three jobs paid three Python starts and
pandas/openpyxl imports for milliseconds of work each) ->
- screening_log.tsv, conflicts.tsv, agreement.tsv and counts.json: the reviewers' decisions
  (extraction/screening/, only read) combined with the unique records;
- to_screen.xlsx and ASReview's to_screen.csv/.ris: the records still to screen;
- new_studies.tsv and .xlsx: the rows that studies newly included need in the extraction
  workbook.
The sheets and the new studies are made from the final states the screening log holds, as
`screen` returns them (the log written and read back gives the same states)."""

import logging

from reviewflow.core.first_version import read_first_version
from reviewflow.core.io import read_table, write_json, write_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.core.studies import read_studies
from reviewflow.report.pages import write_own_pages
from reviewflow.screening import asreview
from reviewflow.screening.decisions import (
    ScreeningSettings,
    build_counts,
    check_outputs_outside,
    read_unique_records,
    record_id_index,
    screen,
)
from reviewflow.screening.folder import read_decisions
from reviewflow.screening.sheets import (
    new_studies,
    pending_states,
    write_new_studies,
    write_to_screen,
)

start_rule_log(snakemake.log[0])
inputs, output, params = snakemake.input, snakemake.output, snakemake.params
with stop_on_input_problems():
    check_outputs_outside(output, params.decisions_dir)
    settings = ScreeningSettings.from_config(params.settings)
    records = read_unique_records(inputs.records)
    decisions = read_decisions(params.decisions_dir, record_id_index(records), settings)
    first_version = read_first_version(inputs.first_version)
    related = read_table(inputs.related)
    result = screen(records, decisions, settings)
    template, workbook = new_studies(records, result.states, read_studies(inputs.studies))
    counts = build_counts(result, first_version, settings, workbook=workbook)

# the screening log and what it counts
write_table(result.log, output.log)
write_table(result.conflicts, output.conflicts)
write_table(result.agreement_table, output.agreement)
write_json(counts, output.counts)
logging.info(
    "%d records, %d decisions, %d conflicts", len(records), len(decisions), len(result.conflicts)
)
for stage, figures in result.agreement.items():
    logging.info(
        "agreement at %s: %d records decided by two reviewers, raw agreement %s, Cohen's kappa %s",
        stage,
        figures["records"],
        figures["raw_agreement"],
        figures["kappa"],
    )
logging.info("counts: %s", counts)

# the records still to screen
written = write_to_screen(records, result.states, settings, output.to_screen, related)
to_screen = records[
    records["record_id"].isin(set(pending_states(result.states, "title_abstract")["record_id"]))
]
asreview.write_csv(to_screen, output.asreview_csv)
asreview.write_ris(to_screen, output.asreview_ris)
logging.info("rows to screen per stage: %s; ASReview export: %d records", written, len(to_screen))

# the studies newly included
write_new_studies(template, output.new_studies_tsv, output.new_studies_xlsx)
logging.info("%s", workbook)

# the report's page of each file params.page_titles names (reviewflow.report.pages)
write_own_pages(
    snakemake.output,
    snakemake.params.page_titles,
    snakemake.params.page_notes,
)
