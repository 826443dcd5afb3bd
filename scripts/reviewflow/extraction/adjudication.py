"""Reading the adjudication files that reviewers write (never written by the workflow).

An adjudication file is a tab-separated table with a header row; every row settles one
disagreement between two (or more) reviewers. Which columns it has is given by the caller (for
double extraction `sheet, id, field, value, reviewer, note`; for appraisal `study_id, item,
answer, reviewer, note`). Every problem is collected and located as ``file:line``.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reviewflow.core.errors import InputProblems


@dataclass(frozen=True)
class AdjudicationRow:
    """One row of an adjudication file: its values by column and where it is (`file:line`)."""

    values: dict[str, str]
    where: str

    def __getitem__(self, column: str) -> str:
        return self.values[column]


def read_adjudication_rows(
    path: str | Path,
    columns: Sequence[str],
    required: Sequence[str],
    problems: list[str],
) -> list[AdjudicationRow]:
    """The rows of the adjudication file at `path` ([] when it does not exist).

    `columns` are all the columns allowed (all must be in the header), `required` those that
    every row must fill. Unknown or missing columns, empty required cells and spaces around a
    value are added to `problems`; rows are returned even when some have problems, so that every
    problem is listed.
    """
    path = Path(path)
    if not path.exists():
        return []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputProblems(
            str(path), [f"{path}: byte {error.start}: not UTF-8 text: save the file as UTF-8"]
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        problems.append(f"{path}:1: no header row: the columns {', '.join(columns)}")
        return []
    reader = csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = [h.strip().lower() for h in next(reader)]
    allowed = f"columns {', '.join(columns)} (tab-separated)"
    for name in header:
        if name not in columns:
            problems.append(f"{path}:1: {name!r}: unknown column: {allowed}")
    for name in columns:
        if name not in header:
            problems.append(f"{path}:1: column {name} is missing: {allowed}")
    if any(name not in header for name in required):
        return []
    rows = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        where = f"{path}:{number}"
        if len(cells) > len(header):
            problems.append(
                f"{where}: {cells[len(header)]!r}: more cells than header columns: "
                f"one value per column ({len(header)})"
            )
        values = {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header)}
        for name, value in values.items():
            if value != value.strip():
                problems.append(
                    f"{where}: {value!r}: {name} has leading or trailing spaces: "
                    f"the value without them: {value.strip()!r}"
                )
        for name in required:
            if not values[name].strip():
                problems.append(f"{where}: '': {name} is empty: {allowed}, {name} filled in")
        rows.append(
            AdjudicationRow({name: values.get(name, "").strip() for name in columns}, where)
        )
    return rows


def one_row_per_key(
    rows: Sequence[AdjudicationRow], key: Sequence[str], problems: list[str]
) -> dict[tuple[str, ...], AdjudicationRow]:
    """Rows by their key columns; a key settled twice is a problem naming both lines."""
    seen: dict[tuple[str, ...], AdjudicationRow] = {}
    for row in rows:
        value = tuple(row[k] for k in key)
        if value in seen:
            problems.append(
                f"{row.where}: {' / '.join(value)}: settled twice (also {seen[value].where}): "
                "one row per disagreement (delete one)"
            )
        else:
            seen[value] = row
    return seen
