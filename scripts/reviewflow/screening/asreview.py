"""Interoperability with ASReview (https://asreview.nl), the open-source screening tool.

Out: the records still to screen at title/abstract, as a CSV and a RIS file that ASReview
imports (its readers: asreview.data.CSVReader, RISReader). Each record keeps its id: column
`reviewflow_record_id` of the CSV, tag `ID` of the RIS.

In: ASReview's export of a project's labelled records ("Export" -> CSV, TSV, Excel or RIS) saved
as `extraction/screening/title_abstract_<reviewer>.asreview.<csv|tsv|xlsx|ris>` is read as that
reviewer's title/abstract decisions: label 1 (relevant) -> include, 0 (irrelevant) -> exclude,
empty (not seen) -> no decision. ASReview records no reason for an exclusion: when the record's
ASReview note names one of the title/abstract reasons it is used, otherwise the configured
`screening.asreview.default_exclusion_reason`. The label column is found under the names that
ASReview itself reads (`asreview_label` since ASReview 2, `included` in 1.x, ...).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import rispy

from reviewflow.core.io import atomic_write, write_table
from reviewflow.screening.decisions import EXCLUDE, Decision
from reviewflow.screening.files import Checker, DecisionFile, Row, read_table_rows

ID_COLUMN = "reviewflow_record_id"
EXPORT_COLUMNS = (
    ID_COLUMN,
    "title",
    "abstract",
    "authors",
    "year",
    "journal",
    "doi",
    "pmid",
    "url",
)
# The label columns ASReview reads, in its order of preference (asreview.data.base.BaseReader).
LABEL_COLUMNS = (
    "asreview_label",
    "included",
    "label",
    "final_included",
    "label_included",
    "included_label",
    "included_final",
    "included_flag",
    "include",
)
NOTE_COLUMNS = ("asreview_note", "note")
# The record id: our CSV's column, or `id` when ASReview exports a project made from our RIS file
ID_COLUMNS = (ID_COLUMN, "id")
# How ASReview's RIS export marks labels (asreview.data.ris.RIS_NOTE_LABEL_MAPPING).
RIS_LABEL_NOTES = {"ASReview_relevant": "1", "ASReview_irrelevant": "0", "ASReview_not_seen": ""}
LABELS = {"1": "include", "0": EXCLUDE, "": None, "-1": None}


# ---------------------------------------------------------------------------------------------
# Export


def record_url(doi: str, pmid: str) -> str:
    if doi:
        return f"https://doi.org/{doi}"
    if pmid:
        return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"
    return ""


def year_or_empty(year: str) -> str:
    """ASReview reads `year` as an integer: anything else is left out."""
    year = str(year).strip()
    return year if re.fullmatch(r"\d{4}", year) else ""


def export_frame(records: pd.DataFrame) -> pd.DataFrame:
    """The records in ASReview's column names (authors stay `; `-joined: ASReview splits on ;)."""
    frame = pd.DataFrame(
        {
            ID_COLUMN: records["record_id"],
            "title": records["title"],
            "abstract": records["abstract"],
            "authors": records["authors"],
            "year": records["year"].map(year_or_empty),
            "journal": records["journal"],
            "doi": records["doi"],
            "pmid": records["pmid"],
            "url": [record_url(d, p) for d, p in zip(records["doi"], records["pmid"], strict=True)],
        },
        columns=list(EXPORT_COLUMNS),
    )
    return frame


def write_csv(records: pd.DataFrame, path: str | Path) -> None:
    write_table(export_frame(records), path)


def one_line(text: str) -> str:
    """RIS holds one line per tag: line breaks and tabs inside a field become spaces."""
    return " ".join(str(text).split())


def ris_entries(records: pd.DataFrame) -> list[dict]:
    entries = []
    for row in export_frame(records).itertuples(index=False):
        entry = {
            "type_of_reference": "JOUR",
            "id": getattr(row, ID_COLUMN),
            "title": one_line(row.title),
        }
        authors = [a.strip() for a in str(row.authors).split(";") if a.strip()]
        optional = {
            "authors": authors,
            "year": row.year,
            "journal_name": one_line(row.journal),
            "abstract": one_line(row.abstract),
            "doi": row.doi,
            "urls": [row.url] if row.url else [],
        }
        entry.update({key: value for key, value in optional.items() if value})
        entries.append(entry)
    return entries


def write_ris(records: pd.DataFrame, path: str | Path) -> None:
    with atomic_write(path) as handle:
        rispy.dump(ris_entries(records), handle)


# ---------------------------------------------------------------------------------------------
# Import


def read_ris_rows(path: Path) -> tuple[list[str], list[Row]]:
    """A labelled RIS export as rows with the columns of the tabular exports."""
    with open(path, encoding="utf-8-sig") as handle:
        entries = rispy.load(handle, skip_unknown_tags=True)
    rows = []
    for number, entry in enumerate(entries, start=1):
        notes = entry.get("notes") or []
        label, note = "", ""
        for text in notes:
            text = str(text).strip()
            if text in RIS_LABEL_NOTES:
                label = RIS_LABEL_NOTES[text]
            elif text.startswith("asreview_note:"):
                value = text.partition(":")[2].strip()
                try:
                    note = str(json.loads(value) or "")
                except ValueError:
                    note = value
        where = f"record {number}"
        values = {ID_COLUMN: str(entry.get("id") or "").strip(), "asreview_label": label}
        values["asreview_note"] = note
        rows.append(Row(values, {}, where))
    return [ID_COLUMN, "asreview_label", "asreview_note"], rows


def read_labelled_export(file: DecisionFile, checker: Checker) -> list[Decision]:
    """One reviewer's title/abstract decisions from ASReview's labelled export."""
    if file.path.suffix.lower() == ".ris":
        header, rows = read_ris_rows(file.path)
    else:
        header, rows = read_table_rows(file.path, (*ID_COLUMNS, *LABEL_COLUMNS, *NOTE_COLUMNS))
    id_column = next((c for c in ID_COLUMNS if c in header), None)
    label_column = next((c for c in LABEL_COLUMNS if c in header), None)
    note_column = next((c for c in NOTE_COLUMNS if c in header), None)
    problems = []
    if id_column is None:
        problems.append(
            f"{file.display}: no {ID_COLUMN!r} or 'id' column (RIS: no ID tag); screen in "
            "ASReview the "
            "records the workflow exported (results/screening/asreview/to_screen.csv or .ris), "
            "so that each decision keeps its record id"
        )
    if label_column is None:
        problems.append(
            f"{file.display}: no label column; ASReview's export has one of: "
            f"{', '.join(LABEL_COLUMNS)}"
        )
    if problems:
        checker.problems.extend(problems)
        return []
    decisions = []
    for row in rows:
        text = row.get(label_column)
        label = text[:-2] if text.endswith(".0") else text
        if label not in LABELS:
            checker.problems.append(
                f"{file.display}, {row.place(label_column)}: label {text!r} is not an ASReview "
                "label; allowed: 1 (relevant), 0 (irrelevant), empty (not seen)"
            )
            continue
        decision = LABELS[label]
        if decision is None:
            continue
        record_id = checker.record_id(file, row, id_column)
        note = row.get(note_column) if note_column else ""
        reason = ""
        if decision == EXCLUDE:
            reason = checker.settings.canonical_reason(file.stage, note) if note else None
            if reason is not None:
                note = ""  # the note was the reason
            else:
                reason = checker.settings.asreview_default_reason
            if reason is None:
                checker.problems.append(
                    f"{file.display}, {row.place(note_column or label_column)}: record "
                    f"{row.get(id_column)!r} is excluded without a reason: write one of the "
                    f"title_abstract exclusion reasons as its ASReview note "
                    f"({'; '.join(checker.settings.reasons[file.stage])}) or set "
                    "screening.asreview.default_exclusion_reason"
                )
                continue
        if record_id is None:
            continue
        decisions.append(
            Decision(
                record_id=record_id,
                stage=file.stage,
                by=file.by,
                decision=decision,
                reason=reason,
                note=note,
                source=f"{file.display}, {row.where}",
            )
        )
    return decisions
