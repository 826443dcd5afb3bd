"""The `prisma` rule's outputs: the flow read and checked, the diagram drawn and measured, then
the app's CSV, the diagram files and the checks page written (nothing before every check passed)."""

from __future__ import annotations

from collections.abc import Sequence

from reviewflow.prisma import diagram as prisma_diagram
from reviewflow.prisma.flow import (
    Check,
    check_flow,
    checks_page_sections,
    load_flow,
    log_lines,
    raise_if_failed,
    write_csv,
)
from reviewflow.report.pages import write_html_page


def failed_sources(checks: Sequence[Check], *paths: str | None) -> str:
    """The files the failed checks name (the first version's counts name
    config/first_version.yaml, the file to correct), else every input."""
    given = [str(p) for p in paths if p]
    failed = " ".join(c.detail for c in checks if c.status == "failed")
    return ", ".join([p for p in given if p in failed] or given)


def build(
    *,
    title: str,
    search_path: str,
    dedup_path: str,
    screening_path: str,
    dataset_path: str | None,
    first_version_path: str | None,
    counts_csv: str,
    diagrams: Sequence[str],
    checks_html: str,
    version_folders: Sequence[str] = (),
    log=None,
) -> list[Check]:
    """Read, check, draw and write every output of the `prisma` rule; on a bad input, a count
    that does not add up or text that would not fit, raise before anything is written."""
    flow = load_flow(
        title=title,
        search_path=search_path,
        dedup_path=dedup_path,
        screening_path=screening_path,
        dataset_path=dataset_path,
        first_version_path=first_version_path,
        version_folders=version_folders,
    )
    checks = check_flow(flow)
    for line in log_lines(flow, checks):
        if log is not None:
            log.info(line)
    inputs = (first_version_path, search_path, dedup_path, screening_path, dataset_path)
    raise_if_failed(checks, failed_sources(checks, *inputs))
    diagram = prisma_diagram.draw(flow)
    prisma_diagram.check_layout(diagram)
    if log is not None:
        log.info("layout: every text measured inside its box, no overlaps")
    write_csv(flow, counts_csv)
    prisma_diagram.save(diagram, diagrams)
    write_html_page(
        checks_html,
        f"PRISMA 2020 flow of “{flow.title}”: counts and checks",
        checks_page_sections(flow, checks),
    )
    return checks
