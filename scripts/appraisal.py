"""Rule appraisal: the appraisers' workbooks read and checked, conflicts settled by the
adjudication file, the overall judgement per study, agreement per item."""

import logging

from reviewflow.appraisal.appraise import (
    agreement_table,
    appraisal_markdown,
    appraisal_table,
    combine,
    conflict_table,
    conflicts_of,
    load_checklist,
    quality_table,
    read_appraisal_adjudication,
    read_appraisals,
)
from reviewflow.core.io import write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.extraction.workbook import read_raw_table

start_rule_log(snakemake.log[0])
studies = read_raw_table(snakemake.input.studies, "studies").to_frame()  # formula guards undone
study_ids = list(studies["study_id"])
with stop_on_input_problems():
    checklist = load_checklist(snakemake.input.checklist)
    files = read_appraisals(snakemake.params.workbooks, checklist, study_ids)
    conflicts = conflicts_of(files, checklist)
    settled = read_appraisal_adjudication(snakemake.params.adjudication, conflicts, checklist)
appraisals = combine(study_ids, files, settled, checklist)
table = appraisal_table(appraisals, studies, checklist)
write_table(table, snakemake.output.table)
write_text(appraisal_markdown(table, checklist), snakemake.output.markdown)
write_table(quality_table(appraisals), snakemake.output.quality)
write_table(agreement_table(files, checklist), snakemake.output.agreement)
write_table(conflict_table(conflicts, settled, list(files)), snakemake.output.conflicts)
for status, n in table["status"].value_counts().items():
    logging.info("%s: %d studies", status, n)
