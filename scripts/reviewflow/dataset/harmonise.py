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

from reviewflow.core.conditions import Context, evaluate
from reviewflow.core.errors import raise_if_any
from reviewflow.extraction.codebook import Codebook, Column, Field
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
from reviewflow.extraction.workbook import RawSheet


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
    rows: list[dict[str, Any]] = []
    folds: list[Fold] = []
    problems: list[str] = []
    for raw, cells in zip(cases.rows, cases.cells, strict=True):
        row, matches = harmonise_case(raw, cells, others, codebook, vocabulary, problems)
        problems += phrase_problems(raw, cells, matches, cases.fields, vocabulary)
        folds += fold_list(raw, cells, matches, cases.fields, codebook.primary_key)
        rows.append(row)
    raise_if_any(vocabulary.path, problems)
    return rows, folds


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
    others: dict[str, RawSheet],
    codebook: Codebook,
    vocabulary: Vocabulary,
    problems: list[str],
) -> tuple[dict[str, Any], dict[str, PhraseMatch]]:
    """One typed row (column -> value) and the phrase matches of its multi-label fields."""
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
            fld, text = looked_up(column.source, raw, cells, others, codebook, problems)
        else:
            fld = sheet.field(column.source)
            text = raw[fld.name]
        own = [c for c in codebook.columns if c.source == column.source and c.part != "derived"]
        values, match = field_values(fld, text, own, vocabulary)
        row.update(values)
        if match is not None:
            matches[fld.name] = match
    for derived in vocabulary.derived.values():
        row[derived.column] = derived_value(derived, row)
    return row, matches


def derived_value(derived: Derived, row: dict) -> bool | None:
    """A derived flag of one row: whether its condition holds; empty when every column the
    condition reads is empty."""
    if all(row[name] is None for name in derived.any_of):
        return None
    frame = pd.DataFrame([{name: row[name] for name in derived.any_of}], dtype=object)
    return bool(evaluate(derived.when, frame, Context()).iloc[0])


def looked_up(source, raw, cells, others, codebook: Codebook, problems) -> tuple[Field, str]:
    """(field, text) of `sheet.field` in the row that the ref field of this row names."""
    ref, target = codebook.lookup(source)
    sheet_name, _, key = ref.references.partition(".")
    rows = {row[key]: row for row in others[sheet_name].rows}
    found = rows.get(raw[ref.name])
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
