"""The review's characteristics table (its "Table 1", like R's tableone or gtsummary), computed
from the dataset and the groups and rows the analysis file declares (config/analysis.yaml,
`characteristics`): n/N (%) where N counts the patients with the item reported (or a declared
subgroup), numbers as mean ± SD or median (Q1, Q3) by the declared rule, with their range.
Each sensitivity analysis adds a column (`value_<name>`, `n_reported_<name>`).
"""

from __future__ import annotations

import os

import pandas as pd
from openpyxl import Workbook

from reviewflow.core.conditions import as_rows, flag_rows, reported_rows
from reviewflow.core.io import atomic_path
from reviewflow.core.spreadsheet import Column, write_sheet
from reviewflow.statistics.analysis_file import (
    Analysis,
    Row,
    Settings,
    with_flags,
)
from reviewflow.statistics.measures import Continuous, Proportion, describe, fmt
from reviewflow.statistics.sensitivity import (
    Subset,
    sensitivity_markdown,
    subsets_frame,
    with_subset_columns,
)

COLUMNS = ["domain", "characteristic", "value", "statistic", "n_reported", "not_reported"]
KEY = ["domain", "characteristic"]
STATISTIC_NAMES = {"mean_sd": "mean ± SD", "median_iqr": "median (Q1, Q3)"}


def chosen_statistic(summary: Continuous, rule: str) -> str:
    """`mean_sd` or `median_iqr` by the rule: shapiro_wilk chooses the mean when the test does
    not reject normality (and the median when it cannot be run); the others always choose."""
    if rule == "shapiro_wilk":
        return "mean_sd" if summary.normal else "median_iqr"
    return rule


def summary_text(summary: Continuous, statistic: str, decimals: int) -> str:
    """`48.29 ± 14.77` or `3.00 (0.50, 6.00)`; `no data` without values."""
    if summary.n == 0:
        return "no data"
    if statistic == "mean_sd":
        return f"{fmt(summary.mean, decimals)} ± {fmt(summary.sd, decimals)}"
    q1, q3 = fmt(summary.q1, decimals), fmt(summary.q3, decimals)
    return f"{fmt(summary.median, decimals)} ({q1}, {q3})"


def summarise(values: pd.Series, settings: Settings) -> tuple[Continuous, str]:
    """The summary of the reported values and the statistic the settings choose for it."""
    summary = describe(
        values, alpha=settings.normality_alpha, quantile_method=settings.quantile_method
    )
    return summary, chosen_statistic(summary, settings.normality_rule)


def count_row(frame: pd.DataFrame, row: Row, settings: Settings) -> dict:
    """n/N (%): the patients with the value (or flag) among those of the row's denominator
    (counted as arrays: faster)."""
    column = frame[row.count]
    if row.value is not None:
        hit = as_rows(column.astype("string") == row.value)
    else:
        hit = flag_rows(column)
    if row.of:
        among = flag_rows(frame[row.of])
    elif row.reported_if:
        among = flag_rows(frame[row.reported_if])
    else:
        among = reported_rows(column, settings.not_reported_values)
    share = Proportion(int((hit & among).sum()), int(among.sum()))
    return {
        "value": share.text(settings.percent_decimals),
        "statistic": "n/N (%)",
        "n_reported": share.denominator,
        "not_reported": None if row.of else len(frame) - share.denominator,
    }


def summary_row(frame: pd.DataFrame, row: Row, settings: Settings) -> dict:
    values = pd.to_numeric(frame[row.summary]) * row.multiply / row.divide
    summary, statistic = summarise(values, settings)
    decimals = settings.continuous_decimals
    text = summary_text(summary, statistic, decimals)
    if summary.n:
        text += f"; range {summary.range_text(decimals)}"
    return {
        "value": text,
        "statistic": STATISTIC_NAMES[statistic],
        "n_reported": summary.n,
        "not_reported": len(frame) - summary.n,
    }


def characteristics_frame(cases: pd.DataFrame, analysis: Analysis) -> pd.DataFrame:
    """One row per declared characteristic: its value and how many patients report it."""
    frame = with_flags(cases, analysis)
    rows = []
    for group in analysis.groups:
        for row in group.rows:
            make = summary_row if row.summary else count_row
            label = f"  {row.label}" if row.indent else row.label
            rows.append(
                {"domain": group.name, "characteristic": label}
                | make(frame, row, analysis.settings)
            )
    table = pd.DataFrame(rows, columns=COLUMNS)
    for column in ("n_reported", "not_reported"):
        table[column] = table[column].astype("Int64")
    return table


def characteristics_table(
    cases: pd.DataFrame, analysis: Analysis, found: list[Subset]
) -> pd.DataFrame:
    """The table over all patients, with one pair of columns per sensitivity analysis."""
    return with_subset_columns(
        lambda part: characteristics_frame(part, analysis), cases, found, KEY
    )


def characteristics_markdown(
    frame: pd.DataFrame, n_cases: int, settings: Settings, found: list[Subset] = ()
) -> str:
    """The table for a manuscript, then what each sensitivity analysis leaves out and moves."""
    found = list(found)
    lines = [
        f"# Characteristics of the {n_cases} patients",
        "",
        "n/N (%): N counts the patients for whom the item is reported (not-reported patients are "
        f"left out of the denominator). Continuous variables: {rule_text(settings)}; with the "
        "range (min–max). Indented rows are shares of the row above.",
        "",
    ]
    if frame.empty:
        lines.append(
            "No characteristics table is declared (`characteristics.groups` of the analysis "
            "file); the descriptive table describes every dataset column."
        )
        return "\n".join(lines) + "\n"
    extra = [s.header for s in found]
    header = ["Domain", "Characteristic", "Value", "Statistic", "Reported", "Not reported", *extra]
    lines.append("| " + " | ".join(header) + " |")
    lines.append("|" + "---|" * len(header))
    previous = None
    for _, row in frame.iterrows():
        domain = f"**{row['domain']}**" if row["domain"] != previous else ""
        previous = row["domain"]
        label = row["characteristic"].replace("  ", "&nbsp;&nbsp;&nbsp;", 1)
        cells = [
            domain,
            label,
            row["value"],
            row["statistic"],
            cell(row["n_reported"]),
            cell(row["not_reported"]),
        ]
        cells += [row[f"value_{s.name}"] for s in found]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    lines += sensitivity_markdown(
        frame, found, n_cases, lambda row: f"{row['domain']}: {row['characteristic'].strip()}"
    )
    return "\n".join(lines) + "\n"


def rule_text(settings: Settings) -> str:
    """The summary rule in words, for table notes."""
    if settings.normality_rule == "shapiro_wilk":
        return (
            "mean ± SD when Shapiro-Wilk does not reject normality "
            f"(p ≥ {settings.normality_alpha:g}), else median (Q1, Q3)"
        )
    return STATISTIC_NAMES[settings.normality_rule]


def plain(value):
    """A cell value openpyxl can store: None for missing, Python int for pandas integers."""
    if pd.isna(value):
        return None
    return int(value) if hasattr(value, "__index__") else value


def cell(value) -> str:
    return "" if pd.isna(value) else str(value)


def write_table_xlsx(
    frame: pd.DataFrame,
    path: str | os.PathLike,
    sheet_name: str,
    widths: dict[str, float],
    found: list[Subset] = (),
    n_total: int = 0,
) -> None:
    """A table as an .xlsx sheet (text never stored as a formula), with a `sensitivity` sheet
    saying what each analysis leaves out when there are any; written atomically."""
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_name
    columns = [Column(name, width=widths.get(name, 16)) for name in frame.columns]
    rows = ([plain(value) for value in row] for row in frame.itertuples(index=False))
    write_sheet(sheet, columns, rows, validation_rows=0)
    if found:
        notes = subsets_frame(list(found), n_total)
        widths = {"label": 36, "note": 80}
        columns = [Column(name, width=widths.get(name, 12)) for name in notes.columns]
        rows = ([plain(value) for value in row] for row in notes.itertuples(index=False))
        write_sheet(book.create_sheet("sensitivity"), columns, rows, validation_rows=0)
    with atomic_path(path) as tmp:
        book.save(tmp)


def write_characteristics_xlsx(
    frame: pd.DataFrame, path: str | os.PathLike, found: list[Subset] = (), n_total: int = 0
) -> None:
    """The characteristics table as an .xlsx workbook."""
    widths = {"domain": 18, "characteristic": 46, "value": 34, "statistic": 17}
    widths |= {"n_reported": 12, "not_reported": 13}
    widths |= {f"value_{s.name}": 34 for s in found}
    write_table_xlsx(frame, path, "characteristics", widths, found, n_total)
