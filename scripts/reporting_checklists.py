"""Snakemake adapter of rule reporting_checklists: PRISMA 2020, PRISMA-S and PRISMA-LSR filled
from the workflow's files (reviewflow.report.checklists)."""

import csv
import logging

from reviewflow.core.io import read_json, read_table
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.living.versions import read_versions
from reviewflow.report.checklists import (
    Facts,
    fill,
    load_checklist,
    reviewers_by_stage,
    write_checklist,
)
from reviewflow.report.pages import markdown_file_page

CHECKLISTS = {
    "prisma2020_checklist": "prisma2020",
    "prisma_s_checklist": "prisma_s",
    "prisma_lsr_items": "prisma_lsr",
}


start_rule_log(snakemake.log[0])
with stop_on_input_problems():
    with open(snakemake.input.prisma_counts, newline="", encoding="utf-8") as handle:
        prisma = {r["data"]: r["n"] for r in csv.DictReader(handle) if r["data"] != "NA"}
    facts = Facts(
        title=snakemake.params.title,
        version=snakemake.params.version,
        versions=[v.as_dict() for f in snakemake.input.versions for v in read_versions(f)],
        living={**snakemake.params.living, "overlap_days": snakemake.params.overlap_days},
        search_counts=read_json(snakemake.input.search_counts),
        search_logs=read_json(snakemake.input.import_summary).get("logs", {}),
        dedup_counts=read_json(snakemake.input.dedup_counts),
        screening_counts=read_json(snakemake.input.screening_counts),
        screening=snakemake.params.screening,
        reviewers=reviewers_by_stage(read_table(snakemake.input.screening_log)),
        agreement=read_table(snakemake.input.agreement),
        prisma=prisma,
        statistics=snakemake.params.statistics,
        dataset_columns=list(read_table(snakemake.input.cases).columns),
        whats_new=read_table(snakemake.input.whats_new),
    )
    outputs = zip(snakemake.output.md, snakemake.output.xlsx, snakemake.output.html, strict=True)
    for (name, checklist_name), (md, xlsx, page) in zip(CHECKLISTS.items(), outputs, strict=True):
        checklist = load_checklist(checklist_name)
        filled = fill(checklist, facts)
        write_checklist(checklist, filled, md, xlsx)
        markdown_file_page(md, page, f"{checklist['checklist']} checklist")
        done = (filled["status"] == "filled from the workflow").sum()
        logging.info("%s: %d of %d items filled from the workflow", name, done, len(filled))
