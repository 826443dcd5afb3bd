"""Snakemake adapter of the report_pages rules (report_pages, report_pages_<stage>): each named
output is the HTML page of the input of the same name (reviewflow.report.pages.file_page), for the
review's HTML report. Params: `titles` and `notes` by output name; optional `first_columns` by
name, the columns a table page shows first."""

import logging

from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.report.pages import file_page

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    first_columns = getattr(snakemake.params, "first_columns", {})
    for name, page in snakemake.output.items():
        source = snakemake.input[name]
        note = snakemake.params.notes.get(name, "")
        file_page(source, page, snakemake.params.titles[name], note, first_columns.get(name, ()))
        logging.info("%s -> %s", source, page)
