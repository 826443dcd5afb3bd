"""Reviewer-facing sheets of the screening stage.

- `to_screen.xlsx`: one sheet per stage, one row per record still without a final decision at
  that stage (new, awaiting a reviewer, or in conflict), with drop-downs for the decision and
  the reason and links to the DOI and PubMed; `related_versions` names the record's other
  versions (a preprint and its published version, dedup's related_versions.tsv). A reviewer
  fills it in and saves it as extraction/screening/screening_<reviewer>.<label>.xlsx (both
  sheets are read).
- `new_studies.tsv|.xlsx`: the rows that the extraction workbook's `studies` sheet needs for the
  studies included (after full text) in a later search window and not in the workbook yet. The
  workflow never edits the workbook: reviewers copy the rows in and extract the patients.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from reviewflow.core.io import atomic_path, write_table
from reviewflow.core.records import normalise_doi
from reviewflow.core.spreadsheet import Column, set_text, write_sheet
from reviewflow.core.studies import STUDY_COLUMNS
from reviewflow.screening.decisions import (
    CONFLICT,
    DECIDED,
    DECISIONS,
    PENDING,
    STAGE_NAMES,
    STAGES,
    ScreeningSettings,
)

MAX_CELL = 32_000  # Excel holds at most 32,767 characters in a cell
ROW_HEIGHT = 64  # points: about five lines of a wrapped title or abstract per record
LINK_FONT = Font(color="0563C1", underline="single")
TEMPLATE_COLUMNS = (*STUDY_COLUMNS, "record_id", "first_window")


def doi_url(doi: str) -> str | None:
    doi = str(doi).strip()
    return f"https://doi.org/{quote(doi, safe='/:;()._-<>[]')}" if doi.startswith("10.") else None


def pubmed_url(pmid: str) -> str | None:
    pmid = str(pmid).strip()
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/" if pmid.isdigit() else None


def pending_states(states: pd.DataFrame, stage: str) -> pd.DataFrame:
    """The records of `stage` without a final decision (pending or in conflict)."""
    chosen = states[(states["stage"] == stage) & states["status"].isin([PENDING, CONFLICT])]
    return chosen.reset_index(drop=True)


def status_text(state) -> str:
    text = f"{state.status}: {state.basis}"
    return f"{text} ({state.decisions})" if state.decisions else text


def sheet_columns(stage: str, settings: ScreeningSettings) -> list[Column]:
    return [
        Column("record_id", 34),
        Column(
            "decision",
            13,
            allowed=DECISIONS[stage],
            prompt=f"{STAGE_NAMES[stage]} decision: {', '.join(DECISIONS[stage])}",
        ),
        Column(
            "reason",
            36,
            allowed=settings.reasons[stage],
            prompt="only for exclude: pick the exclusion reason",
        ),
        Column("note", 24, wrap=True),
        Column("status", 28, wrap=True),
        Column("title", 60, wrap=True),
        Column("abstract", 90, wrap=True),
        Column("authors", 30, wrap=True),
        Column("year", 7),
        Column("journal", 24, wrap=True),
        Column("doi", 26),
        Column("pmid", 11),
        Column("first_window", 23),
        Column("related_versions", 34, wrap=True),
    ]


RELATED_ROLES = {"preprint and published version": ("published version", "preprint")}


def related_notes(related: pd.DataFrame | None) -> dict[str, str]:
    """record_id -> its related versions as reviewers read them ('published version:
    <id>; ...'), from dedup's related_versions.tsv (`record_id_1` is the preprint)."""
    notes: dict[str, list[str]] = {}
    if related is None:
        return {}
    for row in related.itertuples(index=False):
        of_first, of_second = RELATED_ROLES.get(row.relation, ("related", "related"))
        notes.setdefault(row.record_id_1, []).append(f"{of_first}: {row.record_id_2}")
        notes.setdefault(row.record_id_2, []).append(f"{of_second}: {row.record_id_1}")
    return {record_id: "; ".join(texts) for record_id, texts in notes.items()}


def write_to_screen(
    records: pd.DataFrame,
    states: pd.DataFrame,
    settings: ScreeningSettings,
    path: str | Path,
    related: pd.DataFrame | None = None,
) -> dict[str, int]:
    """Write to_screen.xlsx; returns the number of rows per stage. `related`: dedup's
    related_versions.tsv (each record's other versions are named beside it)."""
    fields = records.set_index("record_id")
    notes = related_notes(related)
    book = Workbook()
    book.remove(book.active)
    written = {}
    for stage in STAGES:
        sheet = book.create_sheet(stage)
        columns = sheet_columns(stage, settings)
        pending = pending_states(states, stage)
        rows = []
        for state in pending.itertuples(index=False):
            record = fields.loc[state.record_id]
            rows.append(
                [
                    state.record_id,
                    None,
                    None,
                    None,
                    status_text(state),
                    record["title"][:MAX_CELL],
                    record["abstract"][:MAX_CELL],
                    record["authors"][:MAX_CELL],
                    record["year"],
                    record["journal"],
                    record["doi"],
                    record["pmid"],
                    record["first_window"],
                    notes.get(state.record_id, ""),
                ]
            )
        write_sheet(sheet, columns, rows, validation_rows=max(1000, len(rows) + 1))
        fit_to_page_width(sheet)
        align_rows(sheet, columns, len(rows))
        names = [c.name for c in columns]
        add_links(sheet, names.index("doi") + 1, doi_url, len(rows))
        add_links(sheet, names.index("pmid") + 1, pubmed_url, len(rows))
        written[stage] = len(rows)
    write_about_sheet(book.create_sheet("about"), settings)
    with atomic_path(path) as tmp:
        book.save(tmp)
    return written


TOP = Alignment(vertical="top")


def align_rows(sheet, columns: list[Column], n_rows: int) -> None:
    """Rows of a fixed height (long abstracts scroll inside their cell), text at the top."""
    unwrapped = [i for i, column in enumerate(columns, start=1) if not column.wrap]
    for row in range(2, n_rows + 2):
        sheet.row_dimensions[row].height = ROW_HEIGHT
        for column in unwrapped:
            sheet.cell(row=row, column=column).alignment = TOP


def fit_to_page_width(sheet) -> None:
    """Printed (or exported to PDF), the sheet is landscape and one page wide."""
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0


def add_links(sheet, column: int, make_url, n_rows: int) -> None:
    for row in range(2, n_rows + 2):
        cell = sheet.cell(row=row, column=column)
        url = make_url(cell.value or "")
        if url:
            cell.hyperlink = url
            cell.font = LINK_FONT


ABOUT = """How to screen with this workbook (it is generated: keep your decisions in your own file)
1. Sheet title_abstract: the records not yet decided at title/abstract. Sheet full_text: the
   records that passed title/abstract and wait for a full-text decision.
2. Fill in `decision` (and `reason` for an exclusion) from the drop-downs; `note` is free text.
   Leave a row's decision empty if you have not decided it.
3. Save the workbook as extraction/screening/screening_<your name>.<label>.xlsx, with a new
   label each round (e.g. screening_alice.2025-06.xlsx; names and labels: letters, digits, '-').
   Both sheets are read, and all your files are read together.
4. Rebuild (snakemake --cores 4): the decisions go into results/screening/screening_log.tsv, and
   conflicts between reviewers into conflicts.tsv; settle those in
   extraction/screening/<stage>_resolution.tsv (columns record_id, decision, reason, note).
`status` says why a row is here: pending (no decision yet, or awaiting a reviewer) or conflict.
See extraction/screening/README.md."""


def write_about_sheet(sheet, settings: ScreeningSettings) -> None:
    lines = ABOUT.splitlines() + [""]
    for stage in STAGES:
        lines.append(f"{STAGE_NAMES[stage]} decisions: {', '.join(DECISIONS[stage])}")
        lines.append(f"{STAGE_NAMES[stage]} exclusion reasons:")
        lines += [f"  - {reason}" for reason in settings.reasons[stage]]
    for number, line in enumerate(lines, start=1):
        set_text(sheet.cell(row=number, column=1), line)
    sheet.column_dimensions["A"].width = 100


# ---------------------------------------------------------------------------------------------
# Studies newly included -> rows for the extraction workbook


def suggest_study_ids(existing: list[str], n: int) -> list[str]:
    """Continue the workbook's numbering (S049, S050 -> S051, ...): every id the same prefix and
    a number; otherwise (author-year ids, mixed styles) empty, for people to choose."""
    matches = [re.fullmatch(r"(\S*?)(\d+)", str(s)) for s in existing]
    prefixes = {m.group(1) for m in matches if m}
    if len(existing) < 2 or not all(matches) or len(prefixes) != 1:
        return [""] * n  # no numbering to continue: people choose
    prefix = prefixes.pop()
    width = max(len(m.group(2)) for m in matches)
    start = max(int(m.group(2)) for m in matches) + 1
    return [f"{prefix}{number:0{width}d}" for number in range(start, start + n)]


def first_author(authors: str) -> str:
    """Family name of the first author ("Family, Given; ..." -> "Family")."""
    return str(authors).split(";")[0].split(",")[0].strip()


def new_studies(
    records: pd.DataFrame, states: pd.DataFrame, studies: pd.DataFrame
) -> tuple[pd.DataFrame, dict]:
    """Template rows for included records not yet in the workbook, and a summary of the workbook.

    A record included after full text is in the workbook when dedup matched it to a study
    (`matches_included_study`) or when a study has its DOI or PMID.
    """
    included_ids = states[
        (states["stage"] == "full_text")
        & (states["status"] == DECIDED)
        & (states["decision"] == "include")
    ]["record_id"]
    included = records[records["record_id"].isin(set(included_ids))]
    study_ids = set(studies["study_id"])
    dois = {normalise_doi(d) for d in studies["doi"]} - {""}  # a study with no DOI matches none
    pmids = {str(p).strip() for p in studies["pmid"] if str(p).strip()}

    def in_workbook(record) -> bool:
        return (
            record.matches_included_study in study_ids
            or (record.doi and normalise_doi(record.doi) in dois)
            or (record.pmid and str(record.pmid).strip() in pmids)
        )

    to_add = [r for r in included.itertuples(index=False) if not in_workbook(r)]
    ids = suggest_study_ids(list(studies["study_id"]), len(to_add))
    rows = [
        {
            "study_id": study_id,
            "first_author": first_author(r.authors),
            "year": r.year,
            "title": r.title,
            "journal": r.journal,
            "doi": r.doi,
            "pmid": r.pmid,
            "record_id": r.record_id,
            "first_window": r.first_window,
        }
        for study_id, r in zip(ids, to_add, strict=True)
    ]
    summary = {
        "studies_in_workbook": len(studies),
        "included_in_updates": len(included),
        "included_in_updates_in_workbook": len(included) - len(to_add),
        "included_in_updates_to_add": len(to_add),
    }
    return pd.DataFrame(rows, columns=list(TEMPLATE_COLUMNS)), summary


def write_new_studies(template: pd.DataFrame, tsv: str | Path, xlsx: str | Path) -> None:
    write_table(template, tsv)
    book = Workbook()
    sheet = book.active
    sheet.title = "studies"
    widths = {"title": 60, "journal": 24, "record_id": 30, "first_window": 23}
    columns = [
        Column(
            name,
            widths.get(name, 14),
            wrap=name == "title",
            prompt="suggested id: check it is free in extraction/cases.xlsx"
            if name == "study_id"
            else "",
        )
        for name in TEMPLATE_COLUMNS
    ]
    # (write_sheet needs validation_rows >= 2: it validates rows 2..validation_rows)
    write_sheet(sheet, columns, template.itertuples(index=False), validation_rows=100)
    with atomic_path(xlsx) as tmp:
        book.save(tmp)
