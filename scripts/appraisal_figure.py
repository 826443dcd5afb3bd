"""Rule appraisal_figure: the traffic-light figure of the appraisal (PNG and SVG)."""

import logging

import pandas as pd

from reviewflow.appraisal.appraise import load_checklist
from reviewflow.appraisal.figure import write_traffic_light
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    checklist = load_checklist(snakemake.input.checklist)
table = pd.read_csv(snakemake.input.table, sep="\t", dtype=str, keep_default_na=False)
write_traffic_light(table, checklist, snakemake.output.png, snakemake.output.svg)
logging.info(
    "%s: %d appraised studies", snakemake.output.png, (table["status"] == "appraised").sum()
)
