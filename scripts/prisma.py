"""Snakemake adapter of rule `prisma`: reviewflow.prisma.build does the work."""

import logging

from reviewflow.errors import InputProblems
from reviewflow.prisma import build
from reviewflow.prisma_diagram import LayoutError

log = logging.getLogger("reviewflow.prisma")
log.setLevel(logging.INFO)
log.propagate = False  # the log holds this rule's lines, not other libraries' chatter
handler = logging.FileHandler(snakemake.log[0], mode="w", encoding="utf-8")
handler.setFormatter(logging.Formatter("%(message)s"))
log.addHandler(handler)

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
        log=log,
    )
except (InputProblems, LayoutError) as err:
    log.error(str(err))
    raise SystemExit(str(err)) from None
