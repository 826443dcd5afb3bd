"""Snakemake adapter: every outcome analysis declared in the analysis file, in one job (they read
the same files) -> per analysis its contract (JSON: columns, included and excluded patients with
reasons, estimates), its Markdown page and, for a survival analysis, its Kaplan-Meier figure
(SVG, PNG); and the usable-n table of them all."""

import logging
from pathlib import Path

from reviewflow.core.io import write_json, write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.outcomes.analyse import outcomes_from_files
from reviewflow.statistics.outcomes.km_figure import write_km_figure
from reviewflow.statistics.outcomes.page import outcome_markdown, usable_table

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    results = outcomes_from_files(snakemake.input, snakemake.params.statistics)
    contracts = {Path(path).stem: Path(path) for path in snakemake.output.json}
    for result in results:
        contract = contracts[result["name"]]
        write_json(result, contract)
        write_text(outcome_markdown(result), contract.with_suffix(".md"))
        if result["kind"] == "survival":
            write_km_figure(result, contract.parent)
        logging.info(
            "%s (%s): %d of %d patients used", result["name"], result["kind"],
            result["n_used"], result["n_total"],
        )  # fmt: skip
    write_table(usable_table(results), snakemake.output.usable)
