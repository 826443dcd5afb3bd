"""Reporting checklists (PRISMA 2020, PRISMA-S, PRISMA-LSR) filled from what the workflow knows.

The items and their published wording are data: `checklists/<name>.yaml` in this package (each
file cites its source). An item that names an `answer` is filled by that function of ANSWERERS
from `Facts` (the workflow's counts, logs and settings), with where the answer is in the report;
an item without one, or whose answerer finds nothing, is marked for the authors. Nothing is
invented: an answer only restates the workflow's own files.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.core.content_keys import content_key, frame_text, library_versions, made_once
from reviewflow.core.io import atomic_path, write_text
from reviewflow.core.yamlfile import read_yaml
from reviewflow.living.digest import STAGE_NAMES
from reviewflow.report.pages import markdown_file_page

CHECKLIST_DIR = Path(__file__).parent / "checklists"
CHECKLISTS = {
    "prisma2020": "prisma2020.yaml",
    "prisma_s": "prisma_s.yaml",
    "prisma_lsr": "prisma_lsr.yaml",
}
FOR_AUTHORS = "for the authors"
FILLED = "filled from the workflow"
TABLE_COLUMNS = ["item", "section", "topic", "wording", "status", "answer", "where"]
# what a checklist's files are written with (its workbook, its page)
WRITING_LIBRARIES = ("openpyxl", "markdown-it-py")


@dataclass
class Facts:
    """What the workflow knows, read from its files by the rule adapter."""

    title: str = ""
    version: Mapping[str, str] = field(default_factory=dict)  # versions.version_label
    versions: Sequence[Mapping] = ()  # declared versions (as_dict), in order
    # config `living:`, and `declared`: whether the review declares versions or a living mode
    living: Mapping[str, Any] = field(default_factory=dict)
    search_counts: Mapping = field(default_factory=dict)
    search_logs: Mapping[str, Mapping] = field(default_factory=dict)  # window -> search_log
    dedup_counts: Mapping = field(default_factory=dict)
    screening_counts: Mapping = field(default_factory=dict)
    screening: Mapping[str, Any] = field(default_factory=dict)  # config `screening:`
    reviewers: Mapping[str, Sequence[str]] = field(default_factory=dict)  # stage -> names
    agreement: pd.DataFrame = field(default_factory=pd.DataFrame)
    prisma: Mapping[str, str] = field(default_factory=dict)  # prisma_counts.csv data -> n
    statistics: Mapping[str, Any] = field(default_factory=dict)  # config `statistics:`
    dataset_columns: Sequence[str] = ()
    whats_new: pd.DataFrame = field(default_factory=pd.DataFrame)


Answer = tuple[str, str] | None  # (answer, where in the report) or nothing known


# ------------------------------------------------------------------------- answerers


def _windows(facts: Facts) -> list[Mapping]:
    return list(facts.search_counts.get("windows", []))


def _searched(window: Mapping) -> list[str]:
    return [db for db, n in window.get("databases", {}).items() if n is not None or window.get(
        "reported")]  # fmt: skip


def answer_title(facts: Facts) -> Answer:
    if not facts.title:
        return None
    return f"“{facts.title}” — {facts.version.get('title', '')}", "report landing page (title)"


def answer_living_title(facts: Facts) -> Answer:
    if not facts.living.get("declared", True):
        return (
            "Not a living review: it declares no versions (config/versions.yaml) and no living "
            "mode (living: in config/config.yaml)",
            "config/config.yaml",
        )
    if "living" in facts.title.lower():
        return f"“{facts.title}”", "report landing page (title)"
    return (
        f"Not yet: the title “{facts.title}” does not say “living” (review.title in "
        "config/config.yaml); the report's heading adds “living systematic review, "
        f"{facts.version.get('title', '')}”",
        "config/config.yaml; report landing page",
    )


def answer_version_number(facts: Facts) -> Answer:
    if not facts.version:
        return None
    return facts.version["title"], "report landing page; config/versions.yaml; versions/"


def answer_information_sources(facts: Facts) -> Answer:
    last: dict[str, str] = {}
    for window in _windows(facts):
        for db in _searched(window):
            last[db] = window.get("until") or window.get("window")
    if not last:
        return None
    sources = "; ".join(f"{db}, last searched up to {until}" for db, until in last.items())
    return (
        f"{sources}. No registers, websites, organisations or citation searching "
        "(no such step in the workflow).",
        "results/search/search_report.md (report: 1. Search)",
    )


def answer_search_strategies(facts: Facts) -> Answer:
    parts = [
        f"{window}: PubMed ({log.get('platform', 'PubMed')}), run {log.get('date_run', '?')}: "
        f"`{log.get('query', '')}`; limits: {_limits(log)}"
        for window, log in facts.search_logs.items()
    ]
    exported = _exports(facts)
    if exported:
        parts.append(f"exports added to windows: {exported} (their strategies: for the authors)")
    if not parts:
        return None
    return "; ".join(parts), "results/search/search_report.md; resources/searches/<window>/"


def _limits(log: Mapping) -> str:
    limits = log.get("limits", {})
    return ", ".join(f"{k} {v}" for k, v in limits.items()) or "none"


def _exports(facts: Facts) -> str:
    parts = []
    for window in _windows(facts)[1:]:
        others = [db for db in _searched(window) if db != "PubMed"]
        if others:
            parts.append(f"{', '.join(others)} ({window['window']})")
    return "; ".join(parts)


def answer_search_limits(facts: Facts) -> Answer:
    if not facts.search_logs:
        return None
    limits = {_limits(log) for log in facts.search_logs.values()}
    return (
        "PubMed: " + "; ".join(sorted(limits)) + ". The date limit selects each window's "
        "records by PubMed create date; no other limit.",
        "resources/searches/<window>/search_log.json; results/search/search_report.md",
    )


def answer_search_updates(facts: Facts) -> Answer:
    windows = [w["window"] for w in _windows(facts)[1:]]
    overlap = facts.living.get("overlap_days")
    text = (
        "Search windows by PubMed create date ([crdt]), each starting the day after the last "
        "window's end"
        + (f" minus {overlap} days" if overlap is not None else "")
        + ", fetched through NCBI E-utilities and stored unchanged; exports of other databases "
        "for the same window added beside them; deduplication across all windows."
    )
    if windows:
        text += f" Windows so far: {', '.join(windows)}."
    return text, "resources/searches/README.md; report: 1. Search"


def answer_search_dates(facts: Facts) -> Answer:
    parts = [f"{w}: {log.get('date_run', '?')}" for w, log in facts.search_logs.items()]
    first = _windows(facts)[:1]
    if first and first[0].get("reported"):
        parts.insert(0, f"{first[0]['window']}: up to {first[0].get('until', '?')} (as reported)")
    return ("; ".join(parts), "results/search/search_report.md") if parts else None


def answer_database_names(facts: Facts) -> Answer:
    names = {db for w in _windows(facts) for db in _searched(w)}
    if not names:
        return None
    platforms = {log.get("platform", "") for log in facts.search_logs.values()}
    text = ", ".join(sorted(names))
    if platforms:
        text += f"; PubMed via {', '.join(sorted(p for p in platforms if p))}"
    text += "; the platform of the other databases: for the authors"
    return text, "results/search/search_report.md"


def answer_no_registers(facts: Facts) -> Answer:
    return "None searched (the workflow has no register search).", "results/prisma/prisma.svg"


def answer_total_records(facts: Facts) -> Answer:
    parts = []
    for window in _windows(facts):
        counts = ", ".join(
            f"{db} {'not reported' if n is None else n}"
            for db, n in window.get("databases", {}).items()
            if n is not None or window.get("reported")
        )
        parts.append(f"{window['window']}: {counts}")
    return ("; ".join(parts), "results/search/search_counts.json; results/prisma/prisma.svg") if (
        parts) else None  # fmt: skip


def answer_deduplication(facts: Facts) -> Answer:
    windows = facts.dedup_counts.get("windows", [])
    if not windows:
        return None
    parts = [
        f"{w['window']}: {w.get('records')} records, {w.get('duplicates_removed')} duplicates "
        "removed"
        for w in windows
    ]
    return (
        "reviewflow's deduplication (identifiers, then normalised title/author/year/journal with "
        "guards; uncertain pairs decided by reviewers in extraction/dedup_decisions.tsv), across "
        "all windows: " + "; ".join(parts),
        "results/dedup/dedup_counts.json, duplicates.tsv (report: 2. Deduplication)",
    )


def answer_selection_process(facts: Facts) -> Answer:
    required = facts.screening.get("reviewers_required", {})
    if not required:
        return None
    parts = [
        f"{STAGE_NAMES.get(stage, stage)}: {n} reviewers must decide each record independently "
        "(one file per reviewer); disagreements settled in a resolution file"
        for stage, n in required.items()
    ]
    for stage, names in facts.reviewers.items():
        if names:
            parts.append(f"{STAGE_NAMES.get(stage, stage)} reviewers so far: {', '.join(names)}")
    for r in facts.agreement.itertuples(index=False) if not facts.agreement.empty else []:
        parts.append(f"{r.stage}: {r.records} records both decided, Cohen's kappa {r.kappa}")
    parts.append("ASReview can be used for title/abstract screening (its export is read)")
    return "; ".join(parts), "results/screening/agreement.tsv, conflicts.tsv (3. Screening)"


def answer_data_collection(facts: Facts) -> Answer:
    return (
        "One extraction workbook (extraction/cases.xlsx, one row per patient) with fields, "
        "allowed values and units defined in extraction/codebook.yaml; every value validated "
        "and harmonised by the workflow. How many reviewers extracted each report: for the "
        "authors.",
        "results/dataset/codebook.md (4. Dataset)",
    )


def answer_data_items(facts: Facts) -> Answer:
    if not facts.dataset_columns:
        return None
    return (
        f"{len(facts.dataset_columns)} dataset columns, each defined in the data dictionary; "
        "not reported = empty, never a guessed value.",
        "results/dataset/codebook.md, datapackage.json (4. Dataset)",
    )


def answer_data_preparation(facts: Facts) -> Answer:
    return (
        "Printed values harmonised by extraction/vocabulary.yaml (phrases -> categories), "
        "numbers and bounds parsed, units converted as the codebook declares; quality checks in "
        "qc_issues.tsv.",
        "results/dataset/qc_issues.tsv, codebook.md",
    )


def answer_tabulation(facts: Facts) -> Answer:
    return (
        "Characteristics table and figures generated from the dataset.",
        "results/statistics/characteristics.md; results/figures/ (5. Statistics, 6. Figures)",
    )


def answer_synthesis_methods(facts: Facts) -> Answer:
    settings = facts.statistics
    if not settings:
        return None
    alpha = settings.get("normality_alpha")
    quantiles = settings.get("quantile_method")
    text = "Descriptive synthesis of individual patients (no meta-analysis)"
    if alpha is not None:
        text += f"; numbers as mean ± SD when Shapiro-Wilk p >= {alpha}, else median (Q1, Q3)"
    if quantiles:
        text += f"; quartiles by the {quantiles} method"
    return text + "; categories as n (%) of patients with the item reported.", (
        "config/config.yaml statistics; results/statistics/summary.tsv"
    )


def answer_study_selection(facts: Facts) -> Answer:
    p = facts.prisma
    if not p:
        return None
    keys = [
        ("previous_studies", "studies of the previous version"),
        ("database_results", "records identified"),
        ("duplicates", "duplicates removed"),
        ("records_screened", "records screened"),
        ("records_excluded", "excluded"),
        ("dbr_assessed", "reports assessed"),
        ("new_studies", "new studies included"),
        ("total_studies", "studies included in total"),
    ]
    parts = [f"{label} {p[k]}" for k, label in keys if p.get(k) not in (None, "", "NA")]
    return "; ".join(parts), "results/prisma/prisma.svg (7. PRISMA 2020 flow diagram)"


def answer_excluded_reports(facts: Facts) -> Answer:
    reasons = facts.prisma.get("dbr_excluded")
    if not reasons or reasons == "NA":
        return None
    return (
        f"Reports excluded, with reasons: {reasons}; each excluded record with its reason in the "
        "screening log (citing them in the text: for the authors).",
        "results/screening/screening_log.tsv; results/prisma/prisma.svg",
    )


def answer_study_characteristics(facts: Facts) -> Answer:
    return (
        "Every included patient and study, one row per patient.",
        "results/dataset/cases.csv (4. Dataset); results/statistics/characteristics.md",
    )


def answer_individual_results(facts: Facts) -> Answer:
    return (
        "Individual patient data of every case report (case reports have no effect estimates).",
        "results/dataset/cases.csv; results/figures/case_overview.svg",
    )


def answer_synthesis_results(facts: Facts) -> Answer:
    return (
        "Every result recomputed from the dataset, reconciled with the published figures.",
        "results/statistics/summary.tsv, reconciliation.md (5. Statistics)",
    )


def answer_process_limitations(facts: Facts) -> Answer:
    first = _windows(facts)[:1]
    if not first or not first[0].get("reported"):
        return None
    return (
        "The first version's records and screening decisions were not published: its counts are "
        "as reported, and its query is a reconstruction from the listed terms (config/config.yaml"
        "). Further limitations: for the authors.",
        "config/first_version.yaml; results/prisma/prisma_checks.html",
    )


def answer_availability(facts: Facts) -> Answer:
    return (
        "Data collection form: results/templates/cases_template.xlsx; extracted data: "
        "extraction/cases.xlsx; analysed data: results/dataset/cases.csv with datapackage.json; "
        "analytic code: this workflow (Snakefile, workflow/, scripts/); published versions: "
        "versions/. Where they are deposited publicly: for the authors.",
        "report: 4. Dataset; versions/",
    )


def answer_retirement(facts: Facts) -> Answer:
    plan = str(facts.living.get("retirement") or "").strip()
    return (plan, "config/config.yaml living.retirement; report landing page") if plan else None


def answer_preceding_version(facts: Facts) -> Answer:
    published = facts.version.get("published", "")
    if not published or published == "none":
        return None
    cites = [v.get("cites") for v in facts.versions if v.get("cites")]
    text = f"Preceding published version: {published}"
    if cites:
        text += f"; cited as {cites[-1]}"
    return text, "config/versions.yaml; versions/; results/living/whats_new.md"


def answer_search_schedule(facts: Facts) -> Answer:
    schedule = facts.living.get("search_schedule") or []
    if not schedule:
        return None
    text = "; ".join(f"{s['source']}: {s['schedule']}" for s in schedule)
    return text, "config/config.yaml living.search_schedule; report landing page"


def answer_step_schedules(facts: Facts) -> Answer:
    steps = facts.living.get("other_steps") or {}
    if not steps:
        return None
    return "; ".join(f"{k}: {v}" for k, v in steps.items()), "config/config.yaml living"


def answer_updated_data(facts: Facts) -> Answer:
    return (
        "Corrections to patients of a preceding version are made in the extraction workbook; "
        "What's new lists every changed cell (case, field, old value, new value).",
        "results/living/whats_new.md (8. Living review)",
    )


def answer_trigger(facts: Facts) -> Answer:
    if not facts.versions:
        return None
    current = facts.versions[-1]
    return (
        f"Version {current['number']} ({current['date']}): {current['trigger']}",
        "config/versions.yaml",
    )


def answer_flow_by_version(facts: Facts) -> Answer:
    if facts.prisma.get("previous_studies") in (None, "", "NA"):
        return None
    return (
        "PRISMA 2020 flow diagram for updated reviews: studies of the previous version "
        f"({facts.prisma['previous_studies']}) beside the new search windows; each published "
        "version's counts in versions/v<N>/prisma_counts.csv.",
        "results/prisma/prisma.svg; versions/",
    )


def answer_changes_in_results(facts: Facts) -> Answer:
    table = facts.whats_new
    if table.empty:
        return None
    moved = table[table["change"].isin(("new", "removed", "changed"))]
    counts = moved.groupby("part").size().to_dict()
    text = ", ".join(f"{part}: {n}" for part, n in counts.items()) or "nothing changed"
    return f"Changes since the last published version: {text}.", "results/living/whats_new.md"


def answer_eligibility(facts: Facts) -> Answer:
    reasons = facts.screening.get("exclusion_reasons", {})
    if not reasons:
        return None
    text = "; ".join(f"{STAGE_NAMES.get(stage, stage)} exclusion reasons: {', '.join(values)}"
                     for stage, values in reasons.items())  # fmt: skip
    return text + ". Inclusion criteria and grouping: for the authors.", (
        "config/config.yaml screening.exclusion_reasons"
    )


ANSWERERS: dict[str, Callable[[Facts], Answer]] = {
    name.removeprefix("answer_"): fn
    for name, fn in globals().items()
    if name.startswith("answer_") and callable(fn)
}


# ------------------------------------------------------------------------- the checklists


def load_checklist(name: str) -> dict:
    """A checklist file of this package; an unknown answerer is an error (a typo would
    otherwise leave an item to the authors silently)."""
    data = read_yaml(CHECKLIST_DIR / CHECKLISTS[name])
    unknown = [i["id"] for i in data["items"] if i.get("answer") and i["answer"] not in ANSWERERS]
    if unknown:
        raise ValueError(f"{name}: items {unknown} name an answerer that does not exist")
    return data


def fill(checklist: Mapping, facts: Facts) -> pd.DataFrame:
    """One row per item (TABLE_COLUMNS)."""
    rows = []
    for item in checklist["items"]:
        answer = ANSWERERS[item["answer"]](facts) if item.get("answer") else None
        text, where = answer if answer else ("", "")
        rows.append(
            dict(
                item=str(item["id"]),
                section=item["section"],
                topic=item["topic"],
                wording=item["wording"] + ("" if item.get("verbatim", True) else " [paraphrase]"),
                status=FILLED if answer else FOR_AUTHORS,
                answer=text,
                where=where,
            )
        )
    return pd.DataFrame(rows, columns=TABLE_COLUMNS)


def markdown(checklist: Mapping, table: pd.DataFrame) -> str:
    filled = (table["status"] == FILLED).sum()
    lines = [
        f"# {checklist['checklist']} checklist",
        "",
        f"Items: {checklist['source']}",
        "",
        f"{filled} of {len(table)} items filled from the workflow; the other "
        f"{len(table) - filled} are marked **{FOR_AUTHORS}**.",
        "",
        "| item | topic | checklist item | answer | where |",
        "|---|---|---|---|---|",
    ]
    for r in table.itertuples(index=False):
        answer = r.answer if r.status == FILLED else f"**{FOR_AUTHORS}**"
        cells = [r.item, r.topic, r.wording, answer, r.where]
        lines.append("| " + " | ".join(str(c).replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def write_checklist_files(
    checklist: Mapping,
    table: pd.DataFrame,
    paths: Sequence[str | os.PathLike],
    cache: str | os.PathLike,
) -> bool:
    """The .md, .xlsx and .html `paths` of `checklist` filled as `table` (`write_checklist`, then
    its report page), written only when that content changed since the copies kept in `cache`
    (`reviewflow.core.content_keys`). Returns whether they were written."""
    md_path, xlsx_path, page = (Path(p) for p in paths)
    key = content_key(
        "checklist", repr(sorted(checklist.items())), frame_text(table),
        library_versions(WRITING_LIBRARIES),
    )  # fmt: skip

    def write() -> None:
        write_checklist(checklist, table, md_path, xlsx_path)
        markdown_file_page(md_path, page, f"{checklist['checklist']} checklist")

    return made_once(md_path.stem, key, [md_path, xlsx_path, page], Path(cache), write)


def write_checklist(
    checklist: Mapping, table: pd.DataFrame, md_path: str | os.PathLike, xlsx_path
) -> None:
    """The checklist as Markdown and as a workbook (openpyxl imported only here)."""
    from openpyxl import Workbook

    from reviewflow.core.spreadsheet import Column, write_sheet

    write_text(markdown(checklist, table), md_path)
    book = Workbook()
    sheet = book.active
    sheet.title = "checklist"
    widths = {"wording": 60, "answer": 60, "where": 35, "topic": 22, "section": 16}
    columns = [Column(c, width=widths.get(c, 10), wrap=c in widths) for c in TABLE_COLUMNS]
    write_sheet(sheet, columns, table.itertuples(index=False), validation_rows=0)
    source = book.create_sheet("source")
    source.append(["checklist", checklist["checklist"]])
    source.append(["items from", checklist["source"]])
    with atomic_path(xlsx_path) as tmp:
        book.save(tmp)


def reviewers_by_stage(log: pd.DataFrame) -> dict[str, list[str]]:
    """The reviewers of each screening stage, from results/screening/screening_log.tsv (its
    `final` and `resolution` rows are not people)."""
    people = log[~log["by"].isin(["final", "resolution"])]
    return {stage: sorted(set(g["by"])) for stage, g in people.groupby("stage")}
