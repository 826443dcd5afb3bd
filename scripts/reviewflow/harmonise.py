"""Harmonisation: raw workbook values -> the typed dataset (results/dataset/cases.csv).

Every interpretation of a raw phrase comes from extraction/vocabulary.yaml (coded values, phrases
and their categories, variant spellings); thresholds and units come from the codebook. A phrase
the vocabulary does not know is an error naming its cell; nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.codebook import Codebook
from reviewflow.errors import raise_if_any
from reviewflow.values import format_number, parse_bound, parse_duration, parse_levels, parse_number
from reviewflow.workbook import RawSheet
from reviewflow.yamlfile import read_yaml

SEPARATOR_CHARS = " ,"
SEPARATOR_WORDS = ("and",)
LEVEL_COLUMNS = {
    "B": "level_brain",
    "C": "level_cervical",
    "T": "level_thoracic",
    "L": "level_lumbar",
    "S": "level_sacral",
}


@dataclass(frozen=True)
class Phrase:
    """A raw phrase and the categories it names; `spelling_of` marks a variant spelling."""

    text: str
    categories: tuple[str, ...]
    spelling_of: str | None = None
    note: str = ""


@dataclass(frozen=True)
class PhraseMatch:
    not_reported: bool
    categories: frozenset[str]
    hits: tuple[tuple[str, Phrase], ...]  # (text as typed, vocabulary phrase)
    unknown: tuple[str, ...]


@dataclass(frozen=True)
class PhraseGroup:
    """Phrases shared by one or more workbook fields, each giving columns `<prefix><category>`."""

    name: str
    fields: dict[str, str]
    categories: tuple[str, ...]
    not_reported: tuple[str, ...]
    phrases: tuple[Phrase, ...]

    def columns(self, field: str) -> list[str]:
        return [self.fields[field] + category for category in self.categories]

    def match(self, text: str) -> PhraseMatch:
        """Split `text` into known phrases; a not_reported marker (or its variant) is whole-cell."""
        if text in self.not_reported:
            return PhraseMatch(True, frozenset(), (), ())
        whole = next((p for p in self.phrases if p.text == text), None)
        if whole is not None and whole.spelling_of in self.not_reported:
            return PhraseMatch(True, frozenset(), ((text, whole),), ())
        hits, unknown = split_phrases(text, self.phrases)
        categories = frozenset(c for _, phrase in hits for c in phrase.categories)
        return PhraseMatch(False, categories, tuple(hits), tuple(unknown))


@dataclass(frozen=True)
class Coded:
    field: str
    column: str
    values: dict[str, str]


@dataclass(frozen=True)
class Vocabulary:
    path: str
    coded: dict[str, Coded]
    groups: tuple[PhraseGroup, ...]
    derived: dict[str, tuple[str, ...]]

    def group_for(self, field: str) -> PhraseGroup:
        return next(g for g in self.groups if field in g.fields)


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


def first_letter_matches(text: str, pos: int, phrase: str) -> bool:
    """Does `phrase` start at `pos`, ending at a separator or the end (first letter: any case)?"""
    end = pos + len(phrase)
    if end > len(text) or (end < len(text) and text[end] not in SEPARATOR_CHARS):
        return False
    return text[pos].lower() == phrase[0].lower() and text[pos + 1 : end] == phrase[1:]


def split_phrases(text: str, phrases: tuple[Phrase, ...]) -> tuple[list, list[str]]:
    """Longest known phrases of `text`, left to right; runs of unknown words are returned whole."""
    by_length = sorted(phrases, key=lambda p: -len(p.text))
    hits: list[tuple[str, Phrase]] = []
    unknown: list[str] = []
    pending: list[int] = []  # [start, end] of a run of unknown words

    def flush() -> None:
        if pending:
            unknown.append(text[pending[0] : pending[1]])
            pending.clear()

    pos = 0
    while pos < len(text):
        if text[pos] in SEPARATOR_CHARS:
            pos += 1
            continue
        hit = next((p for p in by_length if first_letter_matches(text, pos, p.text)), None)
        if hit is not None:
            flush()
            hits.append((text[pos : pos + len(hit.text)], hit))
            pos += len(hit.text)
            continue
        end = pos
        while end < len(text) and text[end] not in SEPARATOR_CHARS:
            end += 1
        if text[pos:end].lower() in SEPARATOR_WORDS:
            flush()
        elif pending:
            pending[1] = end
        else:
            pending.extend([pos, end])
        pos = end
    flush()
    return hits, unknown


# --- loading ------------------------------------------------------------------------------


def load_vocabulary(path: str | Path, codebook: Codebook) -> Vocabulary:
    """Read the vocabulary and check it against the codebook; all problems at once."""
    path = str(path)
    data = read_yaml(path) or {}
    problems: list[str] = []
    columns = set(codebook.column_names)
    cases = codebook.sheet("cases")
    coded = {}
    for field, spec in (data.get("coded") or {}).items():
        values = {str(k): ("" if v is None else str(v)) for k, v in spec.get("values", {}).items()}
        coded[field] = Coded(field, spec.get("column", field), values)
        if spec.get("column", field) not in columns:
            problems.append(
                f"{path}: coded.{field}: column {spec.get('column')!r} is not in the codebook's "
                "dataset columns: a dataset column"
            )
        if field in cases.names:
            missing = [w for w in cases.field(field).words if w not in values]
            if missing:
                problems.append(
                    f"{path}: coded.{field}: {', '.join(missing)}: allowed by the codebook but not "
                    "mapped: a value for every allowed word"
                )
        else:
            problems.append(f"{path}: coded.{field}: not a field of sheet cases: a field name")
    groups = tuple(
        _group(name, spec, path, problems) for name, spec in (data.get("phrases") or {}).items()
    )
    for group in groups:
        for field in group.fields:
            if field not in cases.names:
                problems.append(f"{path}: phrases.{group.name}: {field}: not a field of cases")
            for column in group.columns(field):
                if column not in columns:
                    problems.append(
                        f"{path}: phrases.{group.name}: column {column} is not in the codebook's "
                        "dataset columns: a dataset column"
                    )
    covered = {f for g in groups for f in g.fields}
    for field in cases.fields:
        if field.vocabulary and field.name not in covered:
            problems.append(f"{path}: phrases: no group reads field {field.name}: a phrase group")
    derived = {}
    for column, spec in (data.get("derived") or {}).items():
        derived[column] = tuple(spec.get("any_of", []))
        unknown = [c for c in (column, *derived[column]) if c not in columns]
        if unknown:
            problems.append(
                f"{path}: derived.{column}: {', '.join(unknown)}: not dataset columns: "
                "columns of the codebook's dataset"
            )
    raise_if_any(path, problems)
    return Vocabulary(path, coded, groups, derived)


def _group(name: str, spec: dict, path: str, problems: list[str]) -> PhraseGroup:
    categories = tuple(spec.get("categories", []))
    not_reported = tuple(str(x) for x in spec.get("not_reported", []))
    raw = {str(k): v for k, v in (spec.get("phrases") or {}).items()}
    phrases = []
    for text, entry in raw.items():
        entry = {"categories": entry} if isinstance(entry, list) else dict(entry or {})
        target = entry.get("spelling_of")
        cats = entry.get("categories")
        if cats is None and target is not None:
            if target in not_reported:
                cats = []
            elif isinstance(raw.get(target), list):
                cats = raw[target]
            elif isinstance(raw.get(target), dict) and "categories" in raw[target]:
                cats = raw[target]["categories"]
            else:
                problems.append(
                    f"{path}: phrases.{name}: {text!r}: spelling_of {target!r} is neither a phrase "
                    "nor a not_reported marker: a phrase of this group, or categories"
                )
                cats = []
        if cats is None:
            problems.append(
                f"{path}: phrases.{name}: {text!r}: no categories: a list of categories"
            )
            cats = []
        unknown = [c for c in cats if c not in categories]
        if unknown:
            problems.append(
                f"{path}: phrases.{name}: {text!r}: unknown categories {', '.join(unknown)}: "
                f"one of {', '.join(categories)}"
            )
        phrases.append(Phrase(text, tuple(cats), target, str(entry.get("note", ""))))
    return PhraseGroup(name, dict(spec.get("fields", {})), categories, not_reported, tuple(phrases))


# --- harmonising --------------------------------------------------------------------------


def harmonise(
    cases: RawSheet, studies: RawSheet, codebook: Codebook, vocabulary: Vocabulary
) -> tuple[list[dict[str, Any]], list[Fold]]:
    """Typed rows (Python values: None = not described) in workbook order, and the variant
    spellings folded on the way. Unknown phrases: InputProblems listing every one."""
    study_by_id = {row["study_id"]: row for row in studies.rows}
    rows: list[dict[str, Any]] = []
    folds: list[Fold] = []
    problems: list[str] = []
    for raw, cells in zip(cases.rows, cases.cells, strict=True):
        row = harmonise_case(raw, cells, study_by_id[raw["study_id"]], codebook, vocabulary)
        matches = row.pop("_matches")
        for field in (f for f in cases.fields if f in matches):  # in column order
            group_match = matches[field]
            for unknown in group_match.unknown:
                problems.append(
                    f"{cells[field]}: {raw[field]!r}: {field} has the unknown phrase {unknown!r}: "
                    f"a phrase of group {vocabulary.group_for(field).name} in {vocabulary.path} "
                    "(add it there with its categories)"
                )
            for typed, phrase in group_match.hits:
                if phrase.spelling_of is not None:
                    folds.append(
                        Fold(
                            raw["case_id"],
                            field,
                            raw[field],
                            cells[field],
                            typed,
                            phrase.spelling_of,
                            phrase.note,
                        )
                    )
        rows.append(row)
    raise_if_any(vocabulary.path, problems)
    return rows, folds


def harmonise_case(
    raw: dict[str, str],
    cells: dict[str, str],
    study: dict[str, str],
    codebook: Codebook,
    vocabulary: Vocabulary,
) -> dict[str, Any]:
    spec = codebook.sheet("cases")
    row: dict[str, Any] = {
        "case_id": raw["case_id"],
        "study_id": raw["study_id"],
        "first_author": study["first_author"],
        "year": int(raw["year"]),
    }
    for field, coded in vocabulary.coded.items():
        value = coded.values.get(raw[field])
        row[coded.column] = value if value != "" else None
    row["age_years"] = number_or_none(raw["age"], spec.field("age").words)
    row["onset_to_diagnosis_weeks"] = (
        None
        if raw["time"] in spec.field("time").words
        else parse_duration(raw["time"], spec.field("time").unit_days())
    )
    if raw["involved_area"] in spec.field("involved_area").words:
        row.update(dict.fromkeys(LEVEL_COLUMNS.values()))
        row["levels"] = None
    else:
        codes = parse_levels(raw["involved_area"], list(spec.field("involved_area").codes))
        row.update({column: code in codes for code, column in LEVEL_COLUMNS.items()})
        row["levels"] = " ".join(codes)
    cells_text = raw["csf_cell_count"]
    if cells_text not in vocabulary.coded["csf_cell_count"].values:
        count = parse_number(cells_text)
        row["csf_cells_per_ul"] = count
        limit = spec.field("csf_cell_count").increased_above
        row["csf_cells_status"] = "increased" if count > limit else "normal"
    else:
        row["csf_cells_per_ul"] = None
    row["csf_protein_mg_dl"] = number_or_none(
        raw["csf_protein_mg_dl"], spec.field("csf_protein_mg_dl").words
    )
    for field, prefix in (("igg4_cells", "igg4_cells_hpf"), ("igg4_igg_ratio", "igg4_igg_ratio")):
        fld = spec.field(field)
        if raw[field] in fld.words or raw[field] == "":
            row.update({f"{prefix}_low": None, f"{prefix}_high": None, f"{prefix}_qualifier": None})
        else:
            bound = parse_bound(raw[field], percent=bool(fld.percent_sign))
            row[f"{prefix}_low"], row[f"{prefix}_high"] = bound.low, bound.high
            row[f"{prefix}_qualifier"] = bound.qualifier
    matches = {}
    for group in vocabulary.groups:
        for field in group.fields:
            match = group.match(raw[field])
            matches[field] = match
            for category, column in zip(group.categories, group.columns(field), strict=True):
                row[column] = None if match.not_reported else category in match.categories
    for column, sources in vocabulary.derived.items():
        values = [row[s] for s in sources]
        row[column] = None if all(v is None for v in values) else any(v is True for v in values)
    row["workbook_row"] = int(re.sub(r"^.*![A-Z]+", "", cells["case_id"]))
    row["_matches"] = matches
    return row


def number_or_none(text: str, words: tuple[str, ...]) -> float | None:
    """A number, or None for a blank cell or a word such as ND."""
    return None if text == "" or text in words else parse_number(text)


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
