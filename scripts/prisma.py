"""Snakemake adapter of rule `prisma`: reviewflow.prisma.outputs.build does the work."""

import logging
import os

from reviewflow.core.io import write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.prisma.diagram import LayoutError
from reviewflow.prisma.outputs import build
from reviewflow.report.pages import write_own_pages

start_rule_log(snakemake.log[0])
log = logging.getLogger("reviewflow.prisma.flow")
with stop_on_input_problems():
    try:
        build(
            title=snakemake.params.title,
            search_path=snakemake.input.search,
            dedup_path=snakemake.input.dedup,
            screening_path=snakemake.input.screening,
            dataset_path=snakemake.input.dataset[0] if snakemake.input.dataset else None,
            first_version_path=snakemake.input.first_version,
            counts_csv=snakemake.output.counts,
            diagrams=[snakemake.output.svg, snakemake.output.pdf, snakemake.output.png],
            checks_html=snakemake.output.checks,
            version_folders=[
                os.path.dirname(path)
                for path in snakemake.input.versions
                if os.path.basename(path) == "version.json"
            ],
            log=log,
        )
    except LayoutError as error:  # text that does not fit its box: never draw it
        log.error("%s", error)
        raise SystemExit(str(error)) from None
    # what the diagram was drawn from: its next build reads it (workflow/rules/prisma.smk)
    write_text(snakemake.params.patients + "\n", snakemake.output.patients)

# the report's page of each file params.page_titles names (reviewflow.report.pages)
write_own_pages(
    snakemake.output,
    snakemake.params.page_titles,
    snakemake.params.page_notes,
    snakemake.params.page_first_columns,
)
