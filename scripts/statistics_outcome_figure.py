"""Snakemake adapter: the Kaplan-Meier figure (with the numbers at risk) of one survival analysis,
drawn from its contract (JSON) -> SVG and PNG."""

import logging
from pathlib import Path

from reviewflow.core.io import read_json
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.outcomes.km_figure import write_km_figure

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    written = write_km_figure(read_json(snakemake.input.json), Path(snakemake.output.svg).parent)
logging.info("wrote %s", ", ".join(map(str, written)))
