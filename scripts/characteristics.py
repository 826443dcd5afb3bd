"""Snakemake adapter: the characteristics table by domain -> characteristics.md and .xlsx."""

import logging
from pathlib import Path

from reviewflow.cases_reader import read_cases
from reviewflow.characteristics import (
    characteristics_frame,
    characteristics_markdown,
    write_characteristics_xlsx,
)
from reviewflow.codebook import load_codebook
from reviewflow.io import write_text
from reviewflow.recompute import compute_items
from reviewflow.reported import read_declared
from reviewflow.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.stats import Settings

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    settings = Settings.from_config(snakemake.params.settings)
    cases = read_cases(
        snakemake.input.cases, load_codebook(snakemake.input.codebook, snakemake.input.vocabulary)
    )
    # Compatibility until the declared characteristics table (branch describe): the rows are
    # items of the reported-results file.
    schema = Path(snakemake.scriptdir).parent / "workflow/schemas/reported_results.schema.yaml"
    declared = read_declared(snakemake.params.settings["reported_results"], schema)
    table = characteristics_frame(compute_items(cases, declared, settings), len(cases))
    write_text(characteristics_markdown(table, len(cases)), snakemake.output.markdown)
    write_characteristics_xlsx(table, snakemake.output.xlsx)
logging.info("%d rows for %d cases", len(table), len(cases))
