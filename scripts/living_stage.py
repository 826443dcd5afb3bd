"""Snakemake adapter: the living stage in one job (three jobs paid three Python starts and the
pandas import for milliseconds of work each) ->
- whats_new.tsv, .md and .html: this build against the last published version
  (reviewflow.living.whats_new);
- update_digest.tsv, .md and .html: what the search windows since the last published version
  brought (reviewflow.living.digest), as Markdown for a pull request;
- per reporting checklist (PRISMA 2020, PRISMA-S, PRISMA-LSR) its .md, .xlsx and .html, filled
  from the workflow's files and the What's new table above (reviewflow.report.checklists), each
  written only when its filled content changed (a copy kept in results/cache/checklists/)."""

import csv
import logging
from pathlib import Path

import pandas as pd

from reviewflow.core.io import read_json, read_table, write_table, write_text
from reviewflow.core.rulelog import start_rule_log, stop_on_input_problems
from reviewflow.extraction.codebook import load_codebook
from reviewflow.living.digest import build_digest
from reviewflow.living.versions import (
    FIRST_WINDOW,
    last_version_folder,
    read_metadata,
    read_versions,
)
from reviewflow.living.whats_new import (
    WHATS_NEW_COLUMNS,
    Snapshot,
    compare,
    markdown,
    no_version_markdown,
    version_snapshot,
)
from reviewflow.report.checklists import (
    Facts,
    fill,
    load_checklist,
    reviewers_by_stage,
    write_checklist_files,
)
from reviewflow.report.pages import markdown_file_page

CHECKLISTS = {
    "prisma2020_checklist": "prisma2020",
    "prisma_s_checklist": "prisma_s",
    "prisma_lsr_items": "prisma_lsr",
}

start_rule_log(snakemake.log[0])
inputs, output, params = snakemake.input, snakemake.output, snakemake.params
with stop_on_input_problems():
    version_folder = last_version_folder(inputs.version_files)  # '' when none is published
    meta = read_metadata(version_folder) if version_folder else None

    if version_folder:
        previous = f"version {meta['number']} ({meta['date'] or 'date not given'})"
        build = Snapshot(
            label="this build",
            cases=Path(inputs.cases),
            cases_raw=Path(inputs.cases_raw),
            studies=Path(inputs.studies),
            summary=Path(inputs.summary),
            reconciliation=Path(inputs.reconciliation),
            descriptive=Path(inputs.descriptive[0]) if inputs.descriptive else None,
            search_counts=Path(inputs.search_counts),
            records=Path(inputs.records),
        )
        whats_new, notes = compare(
            version_snapshot(Path(version_folder)), build, Path(inputs.unique_records)
        )
        text = markdown(whats_new, notes, previous=previous, current="this build")
        changed = whats_new["change"].isin(("new", "removed", "changed")).sum()
        logging.info("compared with %s: %d of %d rows changed", previous, changed, len(whats_new))
    else:
        whats_new, text = pd.DataFrame(columns=WHATS_NEW_COLUMNS), no_version_markdown()
    write_table(whats_new, output.whats_new_tsv)
    write_text(text, output.whats_new_md)
    markdown_file_page(output.whats_new_md, output.whats_new_html, "What's new")

    search_counts = read_json(inputs.search_counts)
    windows = [w["window"] for w in search_counts["windows"]]
    if version_folder:
        covered, since = set(meta["windows"]), f"version {meta['number']}"
    else:
        covered, since = {FIRST_WINDOW}, "the first version"
    new = [w for w in windows if w not in covered]
    counts, text = build_digest(
        records_path=inputs.records,
        duplicates_path=inputs.duplicates,
        unique_path=inputs.unique_records,
        log_path=inputs.screening_log,
        windows=new,
        since=since,
    )
    write_table(counts, output.digest_tsv)
    write_text(text, output.digest_md)
    markdown_file_page(output.digest_md, output.digest_html, "Search update digest")
    logging.info("windows since %s: %s", since, ", ".join(new) or "none")

    with open(inputs.prisma_counts, newline="", encoding="utf-8") as handle:
        prisma = {r["data"]: r["n"] for r in csv.DictReader(handle) if r["data"] != "NA"}
    facts = Facts(
        title=params.title,
        version=params.version,
        versions=[v.as_dict() for f in inputs.versions for v in read_versions(f)],
        living={**params.living, "overlap_days": params.overlap_days},
        search_counts=search_counts,
        search_logs=read_json(inputs.import_summary).get("logs", {}),
        dedup_counts=read_json(inputs.dedup_counts),
        screening_counts=read_json(inputs.screening_counts),
        screening=params.screening,
        reviewers=reviewers_by_stage(read_table(inputs.screening_log)),
        agreement=read_table(inputs.agreement),
        prisma=prisma,
        statistics=params.statistics,
        dataset_columns=load_codebook(inputs.codebook, inputs.vocabulary).column_names,
        whats_new=whats_new,
    )
    outputs = zip(output.checklists_md, output.checklists_xlsx, output.checklists_html, strict=True)
    for (name, checklist_name), (md, xlsx, page) in zip(CHECKLISTS.items(), outputs, strict=True):
        checklist = load_checklist(checklist_name)
        filled = fill(checklist, facts)
        write_checklist_files(checklist, filled, (md, xlsx, page), params.cache)
        done = (filled["status"] == "filled from the workflow").sum()
        logging.info("%s: %d of %d items filled from the workflow", name, done, len(filled))
