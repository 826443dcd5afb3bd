"""Snakemake adapter of the report_pages rules (report_pages, report_pages_<stage>): each named
output is the HTML page of the input of the same name (reviewflow.report.pages.file_page), for the
review's HTML report. Params: `titles` and `notes` by output name; optional `first_columns` by
name, the columns a table page shows first."""

import logging

from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.report.pages import write_pages

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    written = write_pages(
        snakemake.input,
        snakemake.output,
        snakemake.params.titles,
        snakemake.params.notes,
        getattr(snakemake.params, "first_columns", {}),
    )
for source, page in written:
    logging.info("%s -> %s", source, page)
