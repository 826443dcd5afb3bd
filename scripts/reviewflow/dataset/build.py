"""The dataset stage: the harmonised cases table, its QC issues, dictionary and data package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from reviewflow.core.definitions import Definitions
from reviewflow.core.errors import InputProblems
from reviewflow.core.io import write_json
from reviewflow.dataset.harmonise import Vocabulary, dataset_frame, harmonise
from reviewflow.dataset.qc import (
    consistency_issues,
    duplicate_issues,
    duplicate_pairs,
    duplicates_by_case,
    issues_frame,
    number_issues,
    range_issues,
    spelling_issues,
)
from reviewflow.extraction.codebook import Codebook, table_schema
from reviewflow.extraction.raw import RawSheet


def build_dataset(
    cases: RawSheet,
    studies: RawSheet,
    codebook: Codebook,
    vocabulary: Vocabulary,
    definitions: Definitions | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cases.csv, qc_issues.tsv) as text frames, from the raw sheets; `definitions`: the
    review's named conditions and parameters, which the consistency checks may use."""
    rows, folds = harmonise(cases, studies, codebook, vocabulary)
    pairs = duplicate_pairs(rows, codebook, vocabulary)
    linked = duplicates_by_case(pairs)
    marked = [c.name for c in codebook.columns if c.part == "added:possible_duplicates"]
    for row in rows:
        for column in marked:
            row[column] = linked.get(row[codebook.primary_key])
    issues = (
        range_issues(cases, codebook)
        + consistency_issues(cases, studies, rows, codebook, definitions)
        + duplicate_issues(pairs, *marked[:1])
        + spelling_issues(folds, vocabulary.path)
        + number_issues(cases, codebook)
    )
    qc = issues_frame(issues, [r[codebook.primary_key] for r in rows])
    return dataset_frame(rows, codebook), qc


NOT_REPORTED_COLUMNS = ["case_id", "field", "cell", "token", "meaning"]


def not_reported_frame(cases: RawSheet, codebook: Codebook) -> pd.DataFrame:
    """results/dataset/not_reported.tsv: every cell (or part of a combined cell) holding one of
    the codebook's not-reported tokens, with its meaning (the key under `not_reported:`); its
    dataset columns are empty. `field` is the field or part, as the columns' `field` names it."""
    sheet = codebook.sheet(cases.name)
    rows = []
    for raw, cells in zip(cases.rows, cases.cells, strict=True):
        for fld in sheet.fields:
            text = raw.get(fld.name, "")
            try:
                pieces = fld.pieces(text)
            except ValueError:
                continue  # a cell the workbook check refused already
            rows += [
                [raw[codebook.primary_key], part.name, cells[fld.name], piece, part.tokens[piece]]
                for part, piece in pieces
                if piece in part.tokens
            ]
    return pd.DataFrame(rows, columns=NOT_REPORTED_COLUMNS, dtype=object)


# --- the data package ---------------------------------------------------------------------


def package_descriptor(codebook: Codebook, title: str, csv_name: str = "cases.csv") -> dict:
    return {
        "name": "reviewflow-cases",
        "title": title,
        "description": "One row per patient of the review, harmonised from the extraction "
        "workbook; see codebook.md.",
        "resources": [
            {
                "name": "cases",
                "path": csv_name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": table_schema(codebook),
            }
        ],
    }


def validation_errors(descriptor: dict, basepath: str | Path) -> list[str]:
    """Frictionless validation of the package against its files; empty when valid. Imported
    here: the harmonising and data-dictionary rules, which share this module, do not need it."""
    from frictionless import Package

    report = Package(descriptor, basepath=str(basepath)).validate()
    return [
        ": ".join(str(part) for part in (f"row {row}", field, kind, note) if part is not None)
        for row, field, kind, note in report.flatten(["rowNumber", "fieldName", "type", "note"])
    ]


def write_package(codebook: Codebook, title: str, csv_path: str | Path, out: str | Path) -> None:
    """Write datapackage.json beside the CSV, only once it validates the CSV."""
    csv_path = Path(csv_path)
    descriptor = package_descriptor(codebook, title, csv_path.name)
    errors = validation_errors(descriptor, csv_path.parent)
    if errors:
        raise InputProblems(str(csv_path), errors)
    write_json(descriptor, out)


# --- the data dictionary ------------------------------------------------------------------


def _cell(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines + [""]


def data_dictionary(codebook: Codebook, vocabulary: Vocabulary) -> str:
    """codebook.md: the dataset's columns, how the workbook is read, the vocabulary, the checks."""
    lines = [
        "# Data dictionary: results/dataset/cases.csv",
        "",
        f"Generated from `{codebook.path}` and `{vocabulary.path}` (edit those, not this file).",
        "One row per patient, in workbook order. Booleans are `true`/`false`; an empty cell means",
        "not described (never a guessed `false`). Numbers use `.` as decimal separator.",
        "",
        "## Columns",
        "",
    ]
    lines += _table(
        ["column", "type", "unit", "values", "from", "description"],
        [
            [f"`{c.name}`", c.type, c.unit, ", ".join(c.enum or ()), c.source, c.description]
            for c in codebook.columns
        ],
    )
    lines += ["## How the workbook is read", ""]
    for reading in codebook.readings:
        lines += [f"- **{reading['title']}.** {' '.join(str(reading['text']).split())}"]
    lines += [""]
    if codebook.not_reported:
        lines += [
            "Not-reported tokens (accepted in every field but identifiers; the cell has no value",
            "and `results/dataset/not_reported.tsv` keeps its meaning):",
            "",
        ]
        lines += _table(
            ["meaning", "label", "tokens"],
            [
                [f"`{key}`", meaning["label"], ", ".join(meaning["tokens"])]
                for key, meaning in codebook.not_reported.items()
            ],
        )
    for sheet in codebook.sheets:
        lines += [f"## Workbook sheet `{sheet.name}`", "", " ".join(sheet.help.split()), ""]
        lines += _table(
            ["column", "label", "type", "allowed", "plausible", "help"],
            [
                [
                    f"`{f.name}`",
                    f.label,
                    f.type,
                    f.allowed(),
                    _range(f.plausible, f.kind.plausible_unit(f)),
                    f.help,
                ]
                for f in sheet.fields
            ],
        )
    lines += ["## Vocabulary", "", "Coded values (whole cell):", ""]
    lines += _table(
        ["workbook column", "value", "dataset column", "dataset value"],
        [
            [c.field, raw, coded_column(codebook, c.field), value or "(empty)"]
            for c in vocabulary.coded.values()
            for raw, value in c.values.items()
        ],
    )
    for group in vocabulary.groups:
        columns = ", ".join(f"`{p}<category>` for {f}" for f, p in group.fields.items())
        lines += [
            f"Phrases of group `{group.name}` ({columns}); not described: "
            f"{', '.join(group.not_reported)}:",
            "",
        ]
        lines += _table(
            ["phrase", "categories", "variant of", "note"],
            [[p.text, ", ".join(p.categories), p.spelling_of or "", p.note] for p in group.phrases],
        )
    if vocabulary.derived:
        lines += ["Derived columns (true if any is true, empty if all are empty):", ""]
        lines += [f"- `{d.column}`: {', '.join(d.any_of)}" for d in vocabulary.derived.values()] + [
            ""
        ]
    lines += ["## Quality checks (results/dataset/qc_issues.tsv)", ""]
    lines += quality_lines(codebook)
    return "\n".join(lines)


def coded_column(codebook: Codebook, field: str) -> str:
    """The dataset column that holds a coded field's words (its status column for a number)."""
    own = codebook.columns_of(field)
    return next((c.name for c in own if c.part == "status"), own[0].name if own else "")


def quality_lines(codebook: Codebook) -> list[str]:
    """The QC settings in words."""
    checks = codebook.quality_checks
    lines = [
        "- Values outside a workbook column's plausible range (table above): warning.",
        "- Variant spellings folded by the vocabulary: info.",
    ]
    titles = [c.get("title") or c["field"] for c in checks.get("consistency") or []]
    if titles:
        lines.append(
            f"- Contradictions within a patient ({', '.join(dict.fromkeys(titles))}): warning."
        )
    dup = checks.get("duplicates")
    if dup:
        marked = [c.name for c in codebook.columns if c.part == "added:possible_duplicates"]
        flagged = f"flagged in `{marked[0]}`, " if marked else ""
        same = [f"{e['label']} reported and equal" for e in dup["equal"]]
        near = [f"{w['label']} differing by at most {w['at_most']}" for w in dup["within"]]
        items = [i["label"] for i in dup["items"]]
        lines.append(
            f"- Possible duplicate patients (warning; {flagged}never removed): two patients "
            f"with different {dup['different']}, {', '.join(same + near)}, at least "
            f"{dup['min_matching_items']} of the {len(items)} items ({', '.join(items)}) "
            f"reported in both and equal, and at most {dup['max_conflicting_items']} reported "
            "in both and different."
        )
    return lines + [""]


def _range(limits, unit: str) -> str:
    if not limits:
        return ""
    return f"{limits[0]}-{limits[1]} {unit}".strip()
