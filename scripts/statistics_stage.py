"""Snakemake adapter: the statistics stage in one job (it reads one dataset; six jobs paid six
Python starts and imports for milliseconds of work each) ->
- summary.tsv and items.json: every figure declared in the reported-results file, computed once;
- reconciliation.tsv and .md: the published figures against items.json, read back;
- descriptive.tsv, .md and .xlsx: every dataset column, with the sensitivity columns;
- characteristics.md and .xlsx: the table declared in the analysis file, with its sensitivity
  columns;
- when the analysis file declares them: every figure (SVG, PNG), and every outcome analysis (its
  contract in JSON, its Markdown page, a Kaplan-Meier figure for a survival analysis) with the
  usable-n table of them all;
- the report's HTML page of each table and document (params.page_titles, outcome_page_titles)."""

import logging
from pathlib import Path

from reviewflow.core.io import read_table, write_json, write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.report.pages import file_page, write_own_pages
from reviewflow.statistics.analysis_file import load_analysed_cases
from reviewflow.statistics.characteristics import (
    characteristics_markdown,
    characteristics_table,
    write_characteristics_xlsx,
)
from reviewflow.statistics.content_cache import (
    outcome_contracts,
    write_figures,
    write_km_figure,
)
from reviewflow.statistics.descriptive import (
    NotReported,
    described_columns,
    descriptive_markdown,
    descriptive_table,
    write_descriptive_xlsx,
)
from reviewflow.statistics.recompute import (
    attach_raw_columns,
    compute_items,
    items_document,
    read_items,
    summary_frame,
)
from reviewflow.statistics.reconcile import reconcile, reconciliation_frame, reconciliation_markdown
from reviewflow.statistics.reported import load_declared, summary_settings
from reviewflow.statistics.sensitivity import subsets

start_rule_log(snakemake.log[0])
inputs, output, params = snakemake.input, snakemake.output, snakemake.params
with stop_on_input_problems():
    # every file read and checked once, before anything is written: the codebook, definitions,
    # analysis file and dataset (typed), then the reported-results file against them
    # (a file found to fit its schema is not checked against it again while both are the same)
    checked = Path(params.cache) / "schemas"
    codebook, analysis, cases = load_analysed_cases(inputs, params.statistics, checked)
    declared = load_declared(inputs.reported, params.schema, analysis.definitions, cases, checked)
    summary_cases, warnings = attach_raw_columns(cases.copy(), inputs.raw, declared.raw_columns())
    for warning in warnings:
        logging.warning("%s", warning)
    items = compute_items(summary_cases, declared, summary_settings(params))
    summary = summary_frame(items)
    write_table(summary, output.summary)
    write_json(items_document(items), output.computed)
    logging.info("%d cases -> %d figures in %s", len(summary_cases), len(summary), output.summary)

    # the printed figures of the file read above, against items.json read back
    rows = reconcile(read_items(output.computed), declared.reported)
    write_table(reconciliation_frame(rows), output.reconciliation_table)
    write_text(
        reconciliation_markdown(rows, inputs.reported, declared.publication),
        output.reconciliation_markdown,
    )
    for status in ("match", "differs", "not_derivable"):
        logging.info("reconciliation %s: %d", status, sum(row.status == status for row in rows))

    found = subsets(cases, analysis.sensitivity, inputs.cases)
    columns = described_columns(codebook.columns, analysis.skip, codebook.primary_key)
    declared_meanings = inputs.not_reported  # [] when the codebook declares no meaning
    meanings = NotReported(
        tuple(codebook.not_reported),
        read_table(declared_meanings[0]) if declared_meanings else None,
        codebook.primary_key,
    )
    table = descriptive_table(cases, columns, analysis.settings, found, meanings)
    write_table(table, output.descriptive_table)
    write_text(
        descriptive_markdown(table, len(cases), analysis.settings, found),
        output.descriptive_markdown,
    )
    write_descriptive_xlsx(table, output.descriptive_xlsx, found, len(cases))
    logging.info(
        "descriptive: %d rows for %d columns of %d cases", len(table), len(columns), len(cases)
    )

    table = characteristics_table(cases, analysis, found)
    write_text(
        characteristics_markdown(table, len(cases), analysis.settings, found),
        output.characteristics_markdown,
    )
    write_characteristics_xlsx(table, output.characteristics_xlsx, found, len(cases))
    logging.info("characteristics: %d rows for %d cases", len(table), len(cases))
    for subset in found:
        logging.info("%s: n = %d (%s)", subset.name, subset.n, subset.note)

    cache = Path(params.cache)
    if "figures_svg" in output.keys():
        written = write_figures(
            cases, analysis, Path(output.figures_svg[0]).parent, cache / "figures"
        )
        logging.info("wrote %s", ", ".join(map(str, written)))

    if "outcomes_json" in output.keys():
        from reviewflow.statistics.outcomes.declared import declared_outcomes
        from reviewflow.statistics.outcomes.page import outcome_markdown, usable_table

        # the codebook, analysis file and dataset read above, checked once
        outcomes = declared_outcomes(
            inputs.analysis, codebook.columns, str(inputs.codebook), analysis.definitions
        )
        results = outcome_contracts(outcomes, cases, codebook, analysis, cache / "contracts")
        paths = {Path(path).stem: Path(path) for path in output.outcomes_json}
        for result in results:
            contract = paths[result["name"]]
            write_json(result, contract)
            write_text(outcome_markdown(result), contract.with_suffix(".md"))
            file_page(
                contract.with_suffix(".md"),
                contract.with_suffix(".html"),
                params.outcome_page_titles[result["name"]],
            )
            if result["kind"] == "survival":
                write_km_figure(result, contract.parent, cache / "outcomes")
            logging.info(
                "%s (%s): %d of %d patients used", result["name"], result["kind"],
                result["n_used"], result["n_total"],
            )  # fmt: skip
        write_table(usable_table(results), output.outcomes_usable)

    # the report's page of each table and document (params.page_titles), once all are written
    write_own_pages(output, params.page_titles, params.page_notes)
