"""Reconciliation: every published figure against what the dataset gives, and why they differ.

Each reported figure is compared, number by number, at the precision it was printed with
(`98.0%` to one decimal, `47%` to none). Status:
- `match`: the figure computed under the article's wording gives the printed numbers;
- `differs`: it does not; the note gives what the data give and, when one of the item's declared
  readings reproduces the printed figure (a denominator, > or >=, a month of 4 weeks, an IQR read
  as a range, an outlier or zero left out, a naive text count...), which one; a `quiet` reading
  (tried on every item) is named only when it reproduces a printed percentage;
- `not_derivable`: the figure needs data that the dataset lacks (the item says which).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from reviewflow.statistics.measures import fmt, round_half_up
from reviewflow.statistics.recompute import Item, Values
from reviewflow.statistics.reported import COUNT_FIELDS, Reported, figure_text

STATUSES = ("match", "differs", "not_derivable")
# A numbered section ("4", "4.1"), headed "Section 4.1"; any other section is free text.
NUMBERED_SECTION = re.compile(r"^\d+(\.\d+)*$")
COLUMNS = [
    "item",
    "section",
    "reported",
    "recomputed",
    "status",
    "note",
    "reproduced_by",
    "wording",
]


@dataclass(frozen=True)
class Row:
    item: str
    section: str
    reported: str
    recomputed: str
    status: str
    note: str
    reproduced_by: str
    wording: str


def decimals_of(number: Decimal) -> int:
    """Decimals printed: 98.0 -> 1, 47 -> 0."""
    return max(0, -int(number.as_tuple().exponent))


def agrees(printed: int | Decimal, computed: float | int | None, field: str) -> bool:
    """Does `computed`, rounded as the article printed `printed`, equal it?"""
    if computed is None:
        return False
    if field in COUNT_FIELDS:
        return int(computed) == printed
    rounded = round_half_up(float(computed), decimals_of(printed))
    return Decimal(repr(rounded)) == printed


def differing_fields(reported: Reported, values: Values) -> list[str]:
    return [
        field
        for field, printed in reported.fields().items()
        if not agrees(printed, getattr(values, field), field)
    ]


def shown(reported: Reported, values: Values) -> str:
    """`values` in the same shape as the printed figure, at (at least) its precision."""
    fields = {}
    for field, printed in reported.fields().items():
        computed = getattr(values, field)
        if computed is None:
            fields[field] = "?"
        elif field in COUNT_FIELDS:
            fields[field] = int(computed)
        else:
            places = decimals_of(printed)
            if float(computed) != int(computed) or places:
                places = max(places, 1 if field == "percent" else 2)
            fields[field] = fmt(computed, places)
    return figure_text(fields)


def reconcile(items: list[Item], reported: dict[str, Reported]) -> list[Row]:
    """One row per reported figure, in the order of the reported-results file."""
    by_key = {item.key: item for item in items}
    return [reconcile_one(by_key[key], figure) for key, figure in reported.items()]


def reconcile_one(item: Item, figure: Reported) -> Row:
    def row(status: str, recomputed: str, note: str, reproduced_by: str = "") -> Row:
        return Row(
            item.key,
            figure.section,
            figure.text(),
            recomputed,
            status,
            note,
            reproduced_by,
            figure.wording,
        )

    if item.values is None:
        return row("not_derivable", "", f"Not derivable: {item.not_derivable}.")
    recomputed = shown(figure, item.values)
    consistency = printed_consistency(figure)
    differing = differing_fields(figure, item.values)
    if not differing:
        return row("match", recomputed, join(consistency, item.remark))
    readings = [reading for reading in item.alternatives if not reading.quiet]
    quiet = [reading for reading in item.alternatives if reading.quiet]
    candidates = readings + (quiet if figure.percent is not None else [])
    reproducing = [r for r in candidates if not differing_fields(figure, r.values)]
    as_worded = (
        f"As worded ({item.description}), the data give {recomputed} "
        f"({', '.join(differing)} differ{'s' if len(differing) == 1 else ''})."
    )
    if reproducing:
        how = "; or: ".join(f"{r.label} -> {shown(figure, r.values)}" for r in reproducing)
        note = f"{as_worded} Reproduced under another reading: {how}."
        return row(
            "differs", recomputed, join(note, consistency, item.remark), reproducing[0].label
        )
    if readings:
        tried = "; ".join(f"{r.label} -> {shown(figure, r.values)}" for r in readings)
        note = f"{as_worded} No reading tried reproduces it ({tried})."
    else:
        note = f"{as_worded} No other reading of the data gives the printed figure."
    return row("differs", recomputed, join(note, consistency, item.remark, item.hint))


def printed_consistency(figure: Reported) -> str:
    """A remark when the printed percentage does not follow from the printed counts."""
    if figure.percent is None or figure.n is None or not figure.denominator:
        return ""
    percent = 100 * figure.n / figure.denominator
    if agrees(figure.percent, percent, "percent"):
        return ""
    return (
        f"The printed {figure.percent}% does not follow from the printed "
        f"{figure.n}/{figure.denominator} = {fmt(percent, 1)}%."
    )


def join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def reconciliation_frame(rows: list[Row]) -> pd.DataFrame:
    return pd.DataFrame([row.__dict__ for row in rows], columns=COLUMNS)


def reconciliation_markdown(rows: list[Row], source: str, publication: str = "") -> str:
    """The reconciliation as a Markdown report, one table per section."""
    counts = {status: sum(row.status == status for row in rows) for status in STATUSES}
    lines = [
        "# Reconciliation of the published results with the dataset",
        "",
        f"Reported figures: `{source}`"
        + (f" (transcribed from {publication})." if publication else "."),
        f"{len(rows)} figures: {counts['match']} match, {counts['differs']} differ, "
        f"{counts['not_derivable']} not derivable from the dataset.",
        "",
        "Numbers are compared at the precision printed (98.0% to one decimal, 47% to none). "
        "A `differs` note gives what the data give under the article's wording and, when "
        "another reading of the data reproduces the printed figure, which reading.",
    ]
    for section in dict.fromkeys(row.section for row in rows):
        lines += [
            "",
            f"## {section_heading(section)}",
            "",
            "| item | reported | recomputed | status | note | article's wording |",
            "|---|---|---|---|---|---|",
        ]
        for row in rows:
            if row.section == section:
                cells = [
                    f"`{row.item}`",
                    row.reported,
                    row.recomputed,
                    f"**{row.status}**" if row.status != "match" else row.status,
                    row.note,
                    f"“{row.wording}”",
                ]
                lines.append("| " + " | ".join(md_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def section_heading(section: str) -> str:
    """`Section 4.1` for a numbered section; a heading ("Results", "Table 1") as it is."""
    return f"Section {section}" if NUMBERED_SECTION.match(section) else section


def md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
