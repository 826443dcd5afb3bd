"""Rule appraisal_template: an appraiser's workbook, generated from the checklist, one row per
included study (results/extraction/studies.tsv)."""

import logging

import pandas as pd

from reviewflow.appraisal import load_checklist, write_appraisal_workbook
from reviewflow.rulelog import start_rule_log, stop_on_input_problems


def main(sm) -> None:
    start_rule_log(sm.log[0])
    with stop_on_input_problems():
        checklist = load_checklist(sm.input.checklist)
    studies = pd.read_csv(sm.input.studies, sep="\t", dtype=str, keep_default_na=False)
    write_appraisal_workbook(
        checklist, studies, sm.wildcards.appraiser, sm.output[0], sm.params.save_as
    )
    logging.info("%s: %d studies, %d items", sm.output[0], len(studies), len(checklist.items))


main(snakemake)
