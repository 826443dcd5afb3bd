"""Snakemake adapter of the report_pages rules (report_pages, report_pages_extraction): each named
output is the HTML page of the input of the same name (reviewflow.report.pages.named_file_pages),
for the review's HTML report. Params: `titles` and `notes` by output name; optional
`first_columns` by name, the columns a table page shows first."""

import logging

from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.report.pages import named_file_pages

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    params = snakemake.params
    for source, page in named_file_pages(
        snakemake.input,
        snakemake.output,
        params.titles,
        params.notes,
        getattr(params, "first_columns", {}),
    ):
        logging.info("%s -> %s", source, page)
