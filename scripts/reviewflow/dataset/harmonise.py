"""Harmonisation: raw workbook values -> the typed dataset (results/dataset/cases.csv).

Each field is read by its codebook type, never by its name: a number (and, with `status:`, its
status against a threshold), a duration in its dataset unit, a choice through the vocabulary's
coded values, a multi-label text split into the vocabulary's phrases (one flag per category,
then the derived flags), level codes (one flag per code and the canonical codes), a printed
bound (low, high, qualifier), identifiers and free text as typed, and values looked up in
another sheet through a ref field. A phrase the vocabulary does not know is an error naming its
cell; nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.core.conditions import Context, evaluate, kind_of, nodes
from reviewflow.core.errors import raise_if_any
from reviewflow.extraction.codebook import Codebook, Column, Field
from reviewflow.extraction.raw import RawSheet
from reviewflow.extraction.values import format_number
from reviewflow.extraction.vocabulary import (  # noqa: F401  (re-exported: the vocabulary's API)
    Coded,
    Derived,
    Phrase,
    PhraseGroup,
    PhraseMatch,
    Vocabulary,
    split_phrases,
    unknown_phrase,
)


@dataclass(frozen=True)
class Fold:
    """A variant spelling read as its canonical phrase (listed in qc_issues.tsv)."""

    case_id: str
    field: str
    raw_value: str
    cell: str
    typed: str
    canonical: str
    note: str


def load_vocabulary(path: str | Path, codebook: Codebook) -> Vocabulary:
    """The vocabulary, checked against the codebook (all problems of both files at once)."""
    from reviewflow.extraction.codebook import load_codebook

    return load_codebook(codebook.path, path).vocabulary


# --- harmonising --------------------------------------------------------------------------


def harmonise(
    cases: RawSheet, studies: RawSheet, codebook: Codebook, vocabulary: Vocabulary | None = None
) -> tuple[list[dict[str, Any]], list[Fold]]:
    """Typed rows (Python values: None = not described) in workbook order, and the variant
    spellings folded on the way. Unknown phrases and ids: InputProblems listing every one."""
    vocabulary = vocabulary or codebook.vocabulary
    others = {studies.name: studies}
    plan = ColumnPlan(codebook, others)
    rows: list[dict[str, Any]] = []
    folds: list[Fold] = []
    problems: list[str] = []
    for raw, cells in zip(cases.rows, cases.cells, strict=True):
        row, matches = harmonise_case(raw, cells, codebook, vocabulary, problems, plan)
        problems += phrase_problems(raw, cells, matches, cases.fields, vocabulary)
        folds += fold_list(raw, cells, matches, cases.fields, codebook.primary_key)
        rows.append(row)
    for derived in vocabulary.derived.values():
        for row, value in zip(rows, derived_values(derived, rows), strict=True):
            row[derived.column] = value
    raise_if_any(vocabulary.path, problems)
    return rows, folds


class ColumnPlan:
    """What harmonising a row needs from the codebook and the other sheets, found once for all
    rows: each source's own columns and, per referenced sheet and key, its rows by id."""

    def __init__(self, codebook: Codebook, others: dict[str, RawSheet]):
        self.own: dict[str, list[Column]] = {}
        for column in codebook.columns:
            if column.part != "derived":
                self.own.setdefault(column.source, []).append(column)
        self.others = others
        self.indexes: dict[tuple[str, str], dict[str, dict]] = {}

    def row_of(self, sheet_name: str, key: str, value: str) -> dict | None:
        """The row of sheet `sheet_name` whose `key` is `value` (the last one, if repeated)."""
        index = self.indexes.get((sheet_name, key))
        if index is None:
            index = {row[key]: row for row in self.others[sheet_name].rows}
            self.indexes[(sheet_name, key)] = index
        return index.get(value)


def phrase_problems(raw, cells, matches, order, vocabulary: Vocabulary) -> list[str]:
    """Every unknown phrase of one row, in workbook column order."""
    return [
        unknown_phrase(cells[field], raw[field], field, unknown, matches[field].group, vocabulary)
        for field in order
        if field in matches
        for unknown in matches[field].unknown
    ]


def fold_list(raw, cells, matches, order, key: str) -> list[Fold]:
    """The variant spellings of one row that the vocabulary read as their canonical phrase."""
    return [
        Fold(raw[key], field, raw[field], cells[field], typed, phrase.spelling_of, phrase.note)
        for field in order
        if field in matches
        for typed, phrase in matches[field].hits
        if phrase.spelling_of is not None
    ]


def harmonise_case(
    raw: dict[str, str],
    cells: dict[str, str],
    codebook: Codebook,
    vocabulary: Vocabulary,
    problems: list[str],
    plan: ColumnPlan,
) -> tuple[dict[str, Any], dict[str, PhraseMatch]]:
    """One typed row (column -> value) and the phrase matches of its multi-label fields (`plan`:
    the codebook's columns and the other sheets, found once for all rows); the derived flags are
    left to `derived_values` (all rows at once)."""
    sheet = codebook.sheet(codebook.dataset_sheet)
    row: dict[str, Any] = {}
    matches: dict[str, PhraseMatch] = {}
    for column in codebook.columns:
        if column.name in row or column.part == "derived":
            continue
        if column.part == "added:workbook_row":
            row[column.name] = int(re.sub(r"^.*![A-Z]+", "", cells[codebook.primary_key]))
            continue
        if column.part.startswith("added:"):
            row[column.name] = None  # filled by the dataset stage (e.g. the QC's duplicates)
            continue
        if "." in column.source:
            fld, text = looked_up(column.source, raw, cells, plan, codebook, problems)
        else:
            fld = sheet.field(column.source)
            text = raw[fld.name]
        values, match = field_values(fld, text, plan.own[column.source], vocabulary)
        row.update(values)
        if match is not None:
            matches[fld.name] = match
    return row, matches


def derived_values(derived: Derived, rows: list[dict]) -> list[bool | None]:
    """A derived flag of each row: whether its condition holds; empty when every column the
    condition reads is empty. One evaluation for all rows, unless the condition compares a
    row with the others (an outlier): then each row alone, as a row's flag is its own."""
    known = [i for i, row in enumerate(rows) if any(row[n] is not None for n in derived.any_of)]
    out: list[bool | None] = [None] * len(rows)
    if not known:
        return out
    frames = [[rows[i] for i in known]]
    if any(kind_of(node) == "outlier" for node in nodes(derived.when)):
        frames = [[rows[i]] for i in known]
    held = []
    for part in frames:
        frame = pd.DataFrame([{n: row[n] for n in derived.any_of} for row in part], dtype=object)
        held += evaluate(derived.when, frame, Context()).tolist()
    for i, value in zip(known, held, strict=True):
        out[i] = bool(value)
    return out


def looked_up(source, raw, cells, plan: ColumnPlan, codebook: Codebook, problems):
    """(field, text) of `sheet.field` in the row that the ref field of this row names."""
    ref, target = codebook.lookup(source)
    sheet_name, _, key = ref.references.partition(".")
    found = plan.row_of(sheet_name, key, raw[ref.name])
    if found is None:
        problems.append(
            f"{cells[ref.name]}: {raw[ref.name]!r}: {ref.name} is not in {ref.references}: "
            f"an id listed in sheet {sheet_name}"
        )
        return target, ""
    return target, found[target.name]


def field_values(
    fld: Field, text: str, columns: list[Column], vocabulary: Vocabulary
) -> tuple[dict[str, Any], PhraseMatch | None]:
    """The values of one field's dataset columns (read by the field's type) and its phrase
    match."""
    return fld.values(text, columns, vocabulary)


def dataset_frame(rows: list[dict[str, Any]], codebook: Codebook) -> pd.DataFrame:
    """The dataset as text cells in codebook column order: true/false, "" for missing."""
    out = {}
    for column in codebook.columns:
        out[column.name] = [cell_text(row.get(column.name), column.type) for row in rows]
    return pd.DataFrame(out, dtype=object)


def cell_text(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "number":
        return format_number(value)
    if kind == "integer":
        return str(int(value))
    return str(value)
