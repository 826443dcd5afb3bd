"""The descriptive table of a dataset: every column of cases.csv the codebook declares, with no
configuration (like tableone, gtsummary's tbl_summary or compareGroups' descrTable).

One row per statistic (contract C3): a number gives one row (mean ± SD or median (Q1, Q3) by the
analysis settings' rule), a true/false flag one row (n (%) of the patients it is reported for), a
category one row per value of its `enum`, in the codebook's order. Every row says how many
patients report the column and how many do not. Identifiers (the primary key), free text (text
columns without an enum) and the columns the analysis file skips are left out.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from reviewflow.core.conditions import as_rows, flag_rows, reported_rows
from reviewflow.core.errors import raise_if_any
from reviewflow.extraction.codebook import DESCRIPTIVE_COLUMNS
from reviewflow.statistics.analysis_file import Settings
from reviewflow.statistics.characteristics import (
    cell,
    rule_text,
    summarise,
    summary_text,
    write_table_xlsx,
)
from reviewflow.statistics.measures import fmt
from reviewflow.statistics.sensitivity import Subset, sensitivity_markdown, with_subset_columns

COLUMNS = list(DESCRIPTIVE_COLUMNS)
KEY = ["variable", "category"]
STATISTIC_WORDS = {"mean_sd": "mean ± SD", "median_iqr": "median (Q1, Q3)", "n_percent": "n (%)"}


# Spellings of one unit (lower case): a label that already carries any of them, e.g. "Age
# (yrs)" for the unit `years`, does not get the unit again. Generic, not a review's knowledge.
UNIT_SPELLINGS = (
    ("years", "year", "yrs", "yr", "y"),
    ("months", "month", "mos", "mo", "m"),
    ("weeks", "week", "wks", "wk", "w"),
    ("days", "day", "d"),
    ("hours", "hour", "hrs", "hr", "h"),
    ("percent", "per cent", "%", "pct"),
    ("cm", "centimetres", "centimeters", "centimetre", "centimeter"),
    ("mm", "millimetres", "millimeters", "millimetre", "millimeter"),
    ("kg", "kilograms", "kilogram"),
    ("g", "grams", "gram"),
)
# Where a label states a unit: "(years)", "[years]", ", years" at the end, " in years" at the end.
UNIT_PLACES = re.compile(r"\(([^()]*)\)|\[([^\[\]]*)\]|,\s*([^,]+)$|\bin\s+(\S+)$")


def _unit_key(text: str) -> str:
    return " ".join(str(text).lower().split()).rstrip(".")


def carries_unit(label: str, unit: str) -> bool:
    """Whether `label` already states `unit` (case aside, in any spelling of UNIT_SPELLINGS)."""
    wanted = {_unit_key(unit)}
    for spellings in UNIT_SPELLINGS:
        if wanted & set(spellings):
            wanted |= set(spellings)
    stated = (next(g for g in m.groups() if g is not None) for m in UNIT_PLACES.finditer(label))
    return any(_unit_key(text) in wanted for text in stated)


def with_unit(label: str, unit: str | None) -> str:
    """`label (unit)`, unless the label already carries the unit ("Age (years)" stays)."""
    if not unit or carries_unit(label, unit):
        return label
    return f"{label} ({unit})"


def label_of(column) -> str:
    """The column's `label` (codebook), else a readable form of its name (`age_years` -> `Age
    years`), with its unit once."""
    label = getattr(column, "label", None) or column.name.replace("_", " ").capitalize()
    return with_unit(label, column.unit)


@dataclass(frozen=True)
class NotReported:
    """The codebook's not-reported meanings (`keys`, in declared order) and the patients' cells
    holding one (results/dataset/not_reported.tsv: case_id, field, ..., meaning)."""

    keys: tuple[str, ...] = ()
    cells: pd.DataFrame | None = None  # None: no cell holds one
    primary_key: str = "case_id"

    def counts(self, cases: pd.DataFrame, column) -> dict[str, int]:
        """Patients of `cases` whose cell of the column's field holds each meaning."""
        if self.cells is None or self.cells.empty:
            return dict.fromkeys(self.keys, 0)
        cells = self.cells
        mine = cells[
            (cells["field"] == column.field) & cells["case_id"].isin(cases[self.primary_key])
        ]
        return {
            key: int(mine.loc[mine["meaning"] == key, "case_id"].nunique()) for key in self.keys
        }


def described_columns(columns: Sequence, skip: Sequence[str], primary_key: str) -> list:
    """The codebook columns the table describes, in codebook order."""
    return [
        c
        for c in columns
        if c.name not in skip
        and c.name != primary_key
        and (c.type in ("boolean", "number", "integer") or c.enum)
    ]


def typed(cases: pd.DataFrame, columns: Sequence, source: str = "cases.csv") -> pd.DataFrame:
    """`cases` with each described column typed by the codebook (a reader may have left some as
    text); raises `InputProblems` naming every bad cell and every missing column."""
    problems = []
    frame = cases.copy()
    for column in columns:
        if column.name not in frame.columns:
            problems.append(f"missing column {column.name} (declared in the codebook)")
            continue
        values = frame[column.name]
        plain_text = column.type == "string" and not column.enum
        if plain_text or (values.dtype != object and not pd.api.types.is_string_dtype(values)):
            continue
        text = values.fillna("").astype(str).str.strip()
        if column.type == "boolean":
            bad = ~text.isin(["true", "false", ""])
            frame[column.name] = text.map({"true": True, "false": False}).astype("boolean")
            allowed = "true, false, or empty when not reported"
        elif column.type in ("number", "integer"):
            numbers = pd.to_numeric(text.where(text != ""), errors="coerce")
            bad = numbers.isna() & (text != "")
            frame[column.name] = numbers
            allowed = "a number, or empty when not reported"
        else:
            bad = ~text.isin([*column.enum, ""])
            allowed = "one of " + ", ".join(column.enum) + ", or empty"
        for index in bad[bad].index:
            problems.append(
                f"line {index + 2}, column {column.name}: {text[index]!r}: must be {allowed}"
            )
    raise_if_any(source, problems)
    return frame


def descriptive_frame(
    cases: pd.DataFrame, columns: Sequence, settings: Settings, meanings: NotReported | None = None
) -> pd.DataFrame:
    """One row per statistic of each of `columns` (already chosen by `described_columns`); with
    declared not-reported meanings, one count column per meaning after `not_reported`."""
    meanings = meanings or NotReported()
    rows = []
    n_total = len(cases)
    for column in columns:
        values = cases[column.name]
        known = reported_rows(values, settings.not_reported_values)  # counted as arrays: faster
        n_known = int(known.sum())
        base = {
            "variable": column.name,
            "label": label_of(column),
            "n_reported": n_known,
            "n_total": n_total,
            "not_reported": n_total - n_known,
            **meanings.counts(cases, column),
        }
        if column.type in ("number", "integer"):
            summary, statistic = summarise(values, settings)
            text = summary_text(summary, statistic, settings.continuous_decimals)
            rows.append(base | {"category": "", "statistic": statistic, "value": text})
        elif column.type == "boolean":
            hits = int((flag_rows(values) & known).sum())
            rows.append(base | {"category": "", **n_percent(hits, n_known, settings)})
        else:
            text = values.astype("string")
            for category in column.enum:
                if category in settings.not_reported_values:
                    continue
                hits = int((as_rows(text == category) & known).sum())
                rows.append(base | {"category": category, **n_percent(hits, n_known, settings)})
    at = COLUMNS.index("not_reported") + 1
    table = pd.DataFrame(rows, columns=[*COLUMNS[:at], *meanings.keys, *COLUMNS[at:]])
    for name in ("n_reported", "n_total", "not_reported", *meanings.keys):
        table[name] = table[name].astype("Int64")
    return table


def n_percent(hits: int, denominator: int, settings: Settings) -> dict:
    """`29 (52.7%)` of the patients reporting the item; `0 (no patient reported)` without any."""
    if not denominator:
        return {"statistic": "n_percent", "value": f"{hits} (none reported)"}
    percent = fmt(100 * hits / denominator, settings.percent_decimals)
    return {"statistic": "n_percent", "value": f"{hits} ({percent}%)"}


def descriptive_table(
    cases: pd.DataFrame,
    columns: Sequence,
    settings: Settings,
    found: list[Subset],
    meanings: NotReported | None = None,
) -> pd.DataFrame:
    """The table over all patients, with one pair of columns per sensitivity analysis."""
    return with_subset_columns(
        lambda part: descriptive_frame(part, columns, settings, meanings), cases, found, KEY
    )


def descriptive_markdown(
    frame: pd.DataFrame, n_cases: int, settings: Settings, found: list[Subset] = ()
) -> str:
    """The table in Markdown: the label once per column, its categories below it."""
    found = list(found)
    lines = [
        f"# Descriptive table of the dataset ({n_cases} patients)",
        "",
        "Every column of the dataset (cases.csv) but identifiers and free text. Reported: patients "
        "for whom the column is reported (empty or not-reported values are left out of every "
        f"denominator). Numbers: {rule_text(settings)}, quartiles by the "
        f"{settings.quantile_method} method. Flags and categories: n (% of the patients "
        "reporting the column).",
        "",
    ]
    extra = [s.header for s in found]
    meanings = meaning_columns(frame)
    header = ["Variable", "Category", "Reported", "Not reported", *meanings, "Statistic", "Value"]
    header += extra
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    previous = None
    for _, row in frame.iterrows():
        first = row["variable"] != previous
        previous = row["variable"]
        cells = [
            row["label"] if first else "",
            row["category"],
            cell(row["n_reported"]) if first else "",
            cell(row["not_reported"]) if first else "",
            *[cell(row[m]) if first else "" for m in meanings],
            STATISTIC_WORDS[row["statistic"]],
            row["value"],
        ]
        cells += [row[f"value_{s.name}"] for s in found]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines += sensitivity_markdown(frame, found, n_cases, row_name)
    return "\n".join(lines) + "\n"


def meaning_columns(frame: pd.DataFrame) -> list[str]:
    """The count columns of the codebook's not-reported meanings (between `not_reported` and
    `statistic`), if any."""
    columns = list(frame.columns)
    return columns[columns.index("not_reported") + 1 : columns.index("statistic")]


def row_name(row: pd.Series) -> str:
    return f"{row['label']}: {row['category']}" if row["category"] else row["label"]


def write_descriptive_xlsx(
    frame: pd.DataFrame, path: str | os.PathLike, found: list[Subset] = (), n_total: int = 0
) -> None:
    """The descriptive table as an .xlsx workbook."""
    widths = {"variable": 28, "label": 40, "category": 16, "statistic": 12, "value": 24}
    widths |= {f"value_{s.name}": 24 for s in found}
    write_table_xlsx(frame, path, "descriptive", widths, found, n_total)
