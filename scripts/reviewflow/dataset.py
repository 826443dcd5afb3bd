"""The dataset stage: the harmonised cases table, its QC issues, dictionary and data package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from frictionless import Package

from reviewflow.codebook import Codebook, table_schema
from reviewflow.errors import InputProblems
from reviewflow.harmonise import Vocabulary, dataset_frame, harmonise
from reviewflow.io import write_json
from reviewflow.qc import (
    consistency_issues,
    duplicate_issues,
    duplicate_pairs,
    duplicates_by_case,
    issues_frame,
    range_issues,
    spelling_issues,
)
from reviewflow.workbook import RawSheet


def build_dataset(
    cases: RawSheet, studies: RawSheet, codebook: Codebook, vocabulary: Vocabulary
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(cases.csv, qc_issues.tsv) as text frames, from the raw sheets."""
    rows, folds = harmonise(cases, studies, codebook, vocabulary)
    pairs = duplicate_pairs(rows, codebook, vocabulary)
    linked = duplicates_by_case(pairs)
    for row in rows:
        row["possible_duplicate_of"] = linked.get(row["case_id"])
    issues = (
        range_issues(cases, codebook)
        + consistency_issues(cases, studies, rows, codebook)
        + duplicate_issues(pairs)
        + spelling_issues(folds)
    )
    qc = issues_frame(issues, [r["case_id"] for r in rows])
    return dataset_frame(rows, codebook), qc


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
    """Frictionless validation of the package against its files; empty when valid."""
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
                    _range(f.plausible_weeks or f.plausible, "weeks" if f.plausible_weeks else ""),
                    f.help,
                ]
                for f in sheet.fields
            ],
        )
    lines += ["## Vocabulary", "", "Coded values (whole cell):", ""]
    lines += _table(
        ["workbook column", "value", "dataset column", "dataset value"],
        [
            [c.field, raw, c.column, value or "(empty)"]
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
        lines += [f"- `{c}`: {', '.join(s)}" for c, s in vocabulary.derived.items()] + [""]
    lines += ["## Quality checks (results/dataset/qc_issues.tsv)", ""]
    lines += quality_lines(codebook.quality_checks)
    return "\n".join(lines)


def quality_lines(checks: dict[str, Any]) -> list[str]:
    """The QC settings in words."""
    lines = [
        "- Values outside a workbook column's plausible range (table above): warning.",
        "- Variant spellings folded by the vocabulary: info.",
        "- Contradictions within a patient (status vs value, pattern without enhancement, "
        "staining without pathology, source vs article): warning.",
    ]
    upper = checks.get("csf_protein_upper_reference_mg_dl")
    if upper is not None:
        lines.append(f"- CSF protein upper reference limit: {upper} mg/dL.")
    dup = checks.get("duplicates")
    if dup:
        items = dup.get("items", [])
        lines.append(
            "- Possible duplicate patients (warning; flagged in `possible_duplicate_of`, never "
            "removed): two patients of different articles, sex reported and equal, ages differing "
            f"by at most {dup.get('max_age_difference_years')} year(s), at least "
            f"{dup.get('min_matching_items')} of the {len(items)} items "
            f"({', '.join(items)}) reported in both and equal, and at most "
            f"{dup.get('max_conflicting_items')} reported in both and different."
        )
    return lines + [""]


def _range(limits, unit: str) -> str:
    if not limits:
        return ""
    return f"{limits[0]}-{limits[1]} {unit}".strip()
