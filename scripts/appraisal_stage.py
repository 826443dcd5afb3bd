"""Snakemake adapter: the appraisal stage in one job (four jobs paid four Python starts and the
pandas and matplotlib imports for milliseconds of work each; the appraisers' templates are rule
appraisal_template) ->
- appraisal.tsv and .md, study_quality.tsv, agreement.tsv, conflicts.tsv: the appraisers'
  workbooks read and checked, conflicts settled by the adjudication file, the overall judgement
  per study, agreement per item;
- traffic_light.png and .svg: the figure of the appraised studies;
- methods.md: the methods text of data extraction and critical appraisal, from the workflow's
  own tables;
- the report pages (HTML) of appraisal.md, agreement.tsv, conflicts.tsv and methods.md: the
  output `<name>_page` shows the output `<name>` (params.page_titles, page_notes)."""

import logging

import pandas as pd

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
from reviewflow.appraisal.figure import write_traffic_light
from reviewflow.appraisal.methods_text import (
    appraisal_methods,
    extraction_methods,
    methods_markdown,
)
from reviewflow.core.io import read_table, write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.extraction.raw import read_raw_table
from reviewflow.report.pages import write_own_pages

start_rule_log(snakemake.log[0])
inputs, output, params = snakemake.input, snakemake.output, snakemake.params
with stop_on_input_problems():
    studies = read_raw_table(inputs.studies, "studies").to_frame()  # formula guards undone
    study_ids = list(studies["study_id"])
    checklist = load_checklist(inputs.checklist)
    files = read_appraisals(params.workbooks, checklist, study_ids)
    conflicts = conflicts_of(files, checklist)
    settled = read_appraisal_adjudication(params.adjudication, conflicts, checklist)
    appraisals = combine(study_ids, files, settled, checklist)
    table = appraisal_table(appraisals, studies, checklist)
    agreement = agreement_table(files, checklist)
    conflict_rows = conflict_table(conflicts, settled, list(files))
    write_table(table, output.table)
    write_text(appraisal_markdown(table, checklist), output.markdown)
    write_table(quality_table(appraisals), output.quality)
    write_table(agreement, output.agreement)
    write_table(conflict_rows, output.conflicts)
    for status, n in table["status"].value_counts().items():
        logging.info("%s: %d studies", status, n)

    write_traffic_light(table, checklist, output.png, output.svg)
    logging.info("%s: %d appraised studies", output.png, (table["status"] == "appraised").sum())

    if params.extractors:
        extraction_agreement = pd.read_csv(inputs.extraction_agreement[0], sep="\t")
        extraction_disagreements = read_table(inputs.extraction_disagreements[0])
    else:
        extraction_agreement = extraction_disagreements = None
    extraction = extraction_methods(
        params.extractors, params.workbook, extraction_agreement, extraction_disagreements
    )
    appraisal = appraisal_methods(checklist, params.appraisers, table, agreement, conflict_rows)
    write_text(methods_markdown(extraction, appraisal), output.methods)
    logging.info("%s written", output.methods)

    write_own_pages(output, params.page_titles, params.page_notes)
