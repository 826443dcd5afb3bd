"""Snakemake adapter: one outcome analysis declared in the analysis file (wildcard `name`) ->
its contract (JSON: columns, included and excluded patients with reasons, estimates) and its
Markdown page."""

import logging

from reviewflow.core.io import write_json, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.outcomes.analyse import outcome_from_files
from reviewflow.statistics.outcomes.page import outcome_markdown

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    result = outcome_from_files(
        snakemake.input, snakemake.params.statistics, snakemake.wildcards.name
    )
    write_json(result, snakemake.output.json)
    write_text(outcome_markdown(result), snakemake.output.markdown)
logging.info(
    "%s (%s): %d of %d patients used", result["name"], result["kind"], result["n_used"],
    result["n_total"],
)  # fmt: skip
