"""Snakemake adapter: the published figures against the items computed once by the
statistics_summary rule (items.json) -> reconciliation.tsv and .md."""

import logging

from reviewflow.core.io import write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.statistics.recompute import read_items
from reviewflow.statistics.reconcile import reconcile, reconciliation_frame, reconciliation_markdown
from reviewflow.statistics.reported import read_declared

start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    declared = read_declared(snakemake.input.reported, snakemake.params.schema)
    rows = reconcile(read_items(snakemake.input.computed), declared.reported)
    markdown = reconciliation_markdown(rows, snakemake.input.reported, declared.publication)
write_table(reconciliation_frame(rows), snakemake.output.table)
write_text(markdown, snakemake.output.markdown)
for status in ("match", "differs", "not_derivable"):
    logging.info("%s: %d", status, sum(row.status == status for row in rows))
