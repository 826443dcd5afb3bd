"""Snakemake adapter of the report_pages_* rules: each named output is the HTML page of the input
of the same name (reviewflow.report.pages.file_page), for the review's HTML report. Params: `titles`
and `notes` by output name; optional `first_columns` by name, the columns a table page shows
first."""

import logging

from reviewflow.core.rulelog import start_rule_log
from reviewflow.report.pages import file_page


def main(sm) -> None:
    start_rule_log(sm.log[0])
    first_columns = getattr(sm.params, "first_columns", {})
    for name, page in sm.output.items():
        source = sm.input[name]
        note = sm.params.notes.get(name, "")
        file_page(source, page, sm.params.titles[name], note, first_columns.get(name, ()))
        logging.info("%s -> %s", source, page)


main(snakemake)
