"""Snakemake adapter of rule reporting_checklists: PRISMA 2020, PRISMA-S and PRISMA-LSR filled
from the workflow's files (reviewflow.report.checklists)."""

import csv
import json
import logging

import pandas as pd

from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.living.versions import read_versions
from reviewflow.report.checklists import Facts, fill, load_checklist, write_checklist
from reviewflow.report.pages import markdown_file_page

CHECKLISTS = {
    "prisma2020_checklist": "prisma2020",
    "prisma_s_checklist": "prisma_s",
    "prisma_lsr_items": "prisma_lsr",
}


def read_json(path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def table(path, sep="\t"):
    return pd.read_csv(path, sep=sep, dtype=str, keep_default_na=False)


def reviewers(log: pd.DataFrame) -> dict[str, list[str]]:
    people = log[~log["by"].isin(["final", "resolution"])]
    return {stage: sorted(set(g["by"])) for stage, g in people.groupby("stage")}


def main(sm) -> None:
    start_rule_log(sm.log[0])
    with open(sm.input.prisma_counts, newline="", encoding="utf-8") as handle:
        prisma = {r["data"]: r["n"] for r in csv.DictReader(handle) if r["data"] != "NA"}
    facts = Facts(
        title=sm.params.title,
        version=sm.params.version,
        versions=[v.as_dict() for f in sm.input.versions for v in read_versions(f)],
        living={**sm.params.living, "overlap_days": sm.params.overlap_days},
        search_counts=read_json(sm.input.search_counts),
        search_logs=read_json(sm.input.import_summary).get("logs", {}),
        dedup_counts=read_json(sm.input.dedup_counts),
        screening_counts=read_json(sm.input.screening_counts),
        screening=sm.params.screening,
        reviewers=reviewers(table(sm.input.screening_log)),
        agreement=table(sm.input.agreement),
        prisma=prisma,
        statistics=sm.params.statistics,
        dataset_columns=list(table(sm.input.cases, sep=",").columns),
        whats_new=table(sm.input.whats_new),
    )
    outputs = zip(sm.output.md, sm.output.xlsx, sm.output.html, strict=True)
    for (name, checklist_name), (md, xlsx, page) in zip(CHECKLISTS.items(), outputs, strict=True):
        checklist = load_checklist(checklist_name)
        filled = fill(checklist, facts)
        write_checklist(checklist, filled, md, xlsx)
        markdown_file_page(md, page, f"{checklist['checklist']} checklist")
        done = (filled["status"] == "filled from the workflow").sum()
        logging.info("%s: %d of %d items filled from the workflow", name, done, len(filled))


with stop_on_input_problems():
    main(snakemake)
