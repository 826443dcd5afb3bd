"""Rule appraisal_methods: the methods text of data extraction and critical appraisal
(results/appraisal/methods.md), from the workflow's own tables."""

import logging

import pandas as pd

from reviewflow.appraisal.appraise import load_checklist
from reviewflow.appraisal.methods_text import (
    appraisal_methods,
    extraction_methods,
    methods_markdown,
)
from reviewflow.core.io import write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems


def read_tsv(path: str) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def main(sm) -> None:
    start_rule_log(sm.log[0])
    with stop_on_input_problems():
        checklist = load_checklist(sm.input.checklist)
    if sm.params.extractors:
        agreement = pd.read_csv(sm.input.extraction_agreement[0], sep="\t")
        disagreements = read_tsv(sm.input.extraction_disagreements[0])
    else:
        agreement = disagreements = None
    extraction = extraction_methods(
        sm.params.extractors, sm.params.workbook, agreement, disagreements
    )
    appraisal = appraisal_methods(
        checklist,
        sm.params.appraisers,
        read_tsv(sm.input.table),
        pd.read_csv(sm.input.agreement, sep="\t"),
        read_tsv(sm.input.conflicts),
    )
    write_text(methods_markdown(extraction, appraisal), sm.output[0])
    logging.info("%s written", sm.output[0])


main(snakemake)
