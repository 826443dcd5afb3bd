"""Rule appraisal_template: an appraiser's workbook, generated from the checklist, one row per
included study (results/extraction/studies.tsv)."""

import logging

from reviewflow.appraisal.appraise import load_checklist, write_appraisal_workbook
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.extraction.raw import read_raw_table

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    checklist = load_checklist(snakemake.input.checklist)
studies = read_raw_table(snakemake.input.studies, "studies").to_frame()  # formula guards undone
write_appraisal_workbook(
    checklist, studies, snakemake.wildcards.appraiser, snakemake.output[0], snakemake.params.save_as
)
logging.info("%s: %d studies, %d items", snakemake.output[0], len(studies), len(checklist.items))
