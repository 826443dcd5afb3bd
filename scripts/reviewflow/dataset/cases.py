"""Reading the harmonised dataset (`results/dataset/cases.csv`) for the statistics stage.

The columns and their types come from the codebook (`Codebook.columns`, derived from the
workbook fields and the vocabulary), never from a list here. Every cell of a codebook column is
checked; all problems are reported at once, each naming the line, column and value. Booleans
become pandas' nullable `boolean`, integers `Int64`, numbers floats, text strings; an empty
cell (not reported) is NA. Columns the codebook does not know are kept as text.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd

from reviewflow.core.errors import raise_if_any
from reviewflow.extraction.codebook import Codebook, Column

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
INTEGER = re.compile(r"^-?\d+$")


def read_cases(path: str | os.PathLike, codebook: Codebook) -> pd.DataFrame:
    """The dataset, typed by the codebook; raises `InputProblems` listing every bad cell."""
    path = Path(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise_if_any(str(path), [f"cannot read the dataset: {error}"])
    return parse_cases(raw, codebook, str(path))


def parse_cases(raw: pd.DataFrame, codebook: Codebook, source: str = "cases.csv") -> pd.DataFrame:
    """Type a frame of strings with the codebook's dataset columns; raises `InputProblems`."""
    if not codebook.columns:
        raise_if_any(
            codebook.path,
            [f"{codebook.path}: no dataset columns: load the codebook with its vocabulary"],
        )
    missing = [c.name for c in codebook.columns if c.name not in raw.columns]
    if missing:
        raise_if_any(
            source,
            ["missing column(s) " + ", ".join(missing) + f" (required by {codebook.path})"],
        )
    raw = raw.apply(lambda column: column.str.strip())
    problems: list[str] = []
    key = codebook.primary_key
    for index, value in raw[key].items():
        if not value:
            problems.append(f"{where(index, key, value)}: a row must have a {key}")
    for value in raw[key][raw[key].duplicated() & (raw[key] != "")].unique():
        problems.append(f"column {key}: {value!r} is used by more than one row")
    cases = raw.copy()
    for column in codebook.columns:
        problems += cell_problems(raw[column.name], column)
        cases[column.name] = typed(raw[column.name], column)
    raise_if_any(source, problems)
    return cases.reset_index(drop=True)


def where(index: int, column: str, value: str) -> str:
    return f"line {index + 2}, column {column}: {value!r}"


def cell_problems(values: pd.Series, column: Column) -> list[str]:
    """What is wrong with each non-empty cell of one column, by the column's type."""
    if column.type == "boolean":
        valid, allowed = (
            (lambda v: v in ("true", "false")),
            "true, false, or empty when not reported",
        )
    elif column.type == "number":
        valid = NUMBER.match
        allowed = "a number with '.' as decimal separator, or empty when not reported"
    elif column.type == "integer":
        valid, allowed = INTEGER.match, "a whole number, or empty when not reported"
    elif column.enum:
        valid = set(column.enum).__contains__
        allowed = "one of " + ", ".join([*column.enum, "(empty)"])
    else:
        return []
    return [
        f"{where(index, column.name, value)}: must be {allowed}"
        for index, value in values.items()
        if value and not valid(value)
    ]


def typed(values: pd.Series, column: Column) -> pd.Series:
    """One column typed (cells already checked): empty cells are NA."""
    if column.type == "boolean":
        return values.map({"true": True, "false": False}).astype("boolean")
    if column.type == "number":
        return pd.to_numeric(values.where(values.map(lambda v: bool(NUMBER.match(v)))))
    if column.type == "integer":
        return pd.to_numeric(values.where(values.map(lambda v: bool(INTEGER.match(v))))).astype(
            "Int64"
        )
    return values.replace("", pd.NA)


def is_true(value) -> bool:
    """True for a reported true value; False for false and for not reported (NA)."""
    return bool(value) if pd.notna(value) else False
