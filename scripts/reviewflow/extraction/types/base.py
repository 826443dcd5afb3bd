"""What every field type shares: the dataset column, the maker of a field's columns, and the
`FieldType` each type module subclasses (see the package's docstring)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from reviewflow.extraction.values import ValueProblem

NEGATIVE_RE = re.compile(r"^\s*[-\u2212]\s*(\d.*)$")  # "-3", "− 3" (a minus sign)


@dataclass(frozen=True)
class Column:
    """One column of the harmonised dataset.

    `source` is what it is made from as the data dictionary shows it (a field, `sheet.field`
    for a looked-up value, or `quality_checks`); `field` the workbook field (None for an added
    column; a combined field's part for the columns of that part); `part` which of the field's
    columns it is: `value`, `status`, `low`, `high`, `qualifier`, `codes`, `flag:<category>`,
    `level:<code>`, `largest`, `axis<n>`, `product`, `derived` or `added:<what>`.
    """

    name: str
    type: str
    description: str
    source: str = ""
    unit: str | None = None
    enum: tuple[str, ...] | None = None
    label: str = ""
    field: str | None = None
    part: str = "value"


def readable(name: str) -> str:
    """A readable label made from a column name: `age_years` -> "Age years"."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def num(value: float) -> str:
    """37.0 -> "37", 11.2 -> "11.2" (as the codebook's messages print a limit)."""
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class ColumnMaker:
    """Makes the dataset columns of one field; `dataset:` of the field overrides the defaults
    (`name`, `label`, `description`, `unit`, `prefix`, `descriptions` per part, `status`).
    `source` is the field as the data dictionary shows it (a combined field's name for its
    parts)."""

    fld: Any  # reviewflow.extraction.codebook.Field
    source: str
    vocabulary: Any  # reviewflow.extraction.vocabulary.Vocabulary
    path: str
    problems: list[str]

    @property
    def spec(self) -> dict[str, Any]:
        return self.fld.dataset

    @property
    def name(self) -> str:
        return str(self.spec.get("name", self.fld.name))

    @property
    def label(self) -> str:
        return str(self.spec.get("label", self.fld.label))

    def described(self, part: str, default: str) -> str:
        return (self.spec.get("descriptions") or {}).get(part, default)

    def column(self, name, kind, description, part="value", unit=None, enum=None, label=None):
        return Column(
            name=name,
            type=kind,
            description=" ".join(str(description).split()),
            source=self.source,
            unit=unit,
            enum=tuple(enum) if enum else None,
            label=str(label if label is not None else readable(name)),
            field=self.fld.name if "." not in self.source else self.source,
            part=part,
        )

    def single(self, kind: str = "string", enum=None) -> list[Column]:
        """One column named after the field (`dataset: {name, description, unit}`)."""
        description = self.spec.get("description", self.fld.label)
        unit = self.spec.get("unit")
        return [self.column(self.name, kind, description, unit=unit, enum=enum, label=self.label)]


class FieldType:
    """One field type. A subclass sets `name`, `keys` (its own declaration keys), `reference`
    (its sentence in docs/reference.md) and overrides what differs from these defaults: a cell
    read as text, one string column, its text as the value."""

    name = ""
    keys: frozenset[str] = frozenset()
    reference = ""
    ranged = False  # `range` is part of `allowed()` (and checked on every parsed number)
    takes_status = False  # `status:` is allowed
    links = False  # its value names a row of another sheet (`references:`)
    drop_down = False  # the workbook offers its `words` in a drop-down
    unique = False  # a value appears once in its sheet (the row's identifier)
    typed_as_number = False  # a reviewer types it as a spreadsheet number
    accepts_tokens = True  # a declared not-reported token is accepted (not by identifiers)
    has_parts = False  # its declaration lists `parts`, each a field (combined)
    number_cell_is_text = False  # a spreadsheet number in its cell is read as displayed, warned

    def declare(self, data: dict, where: str, problems: list[str]) -> None:
        """Problems of the declaration's type-specific keys (before its `dataset:` mapping)."""

    def declare_dataset(self, spec: dict, where: str, problems: list[str]) -> None:
        """Problems of the type-specific keys of its `dataset:` mapping."""

    def allowed(self, fld) -> str:
        """What a cell may hold, in words (before the range, the words and the blank)."""
        return "text as written in the report"

    def words_suffix(self, fld) -> str:
        return f", or {', '.join(fld.words)}" if fld.words else ""

    def parse(self, fld, text: str) -> list[float | None]:
        """The numbers of a valid non-word cell (empty when not numeric); ValueProblem if bad."""
        return []

    def check(self, fld, text: str) -> str | None:
        """What is wrong with a non-blank, non-word cell, or None (parse, then range)."""
        try:
            values = self.parse(fld, text)
        except ValueProblem as problem:
            return negative_problem(self, fld, text) or str(problem)
        if fld.range is not None:
            low, high = fld.range
            if any(v is not None and not low <= v <= high for v in values):
                return "is outside the possible range"
        return None

    def pieces(self, fld, text: str) -> list:
        """(field, text) read from one cell: the field itself, or a combined field's parts."""
        return [(fld, text)]

    def value_unit(self, fld) -> str:
        """The unit of the field's values as the dataset holds them."""
        return fld.unit or ""

    def plausible_unit(self, fld) -> str:
        """The unit the data dictionary prints after the plausible range."""
        return ""

    def columns(self, maker: ColumnMaker) -> list[Column]:
        """The field's dataset columns."""
        return maker.single()

    def values(self, fld, text: str, columns: list[Column], vocabulary) -> tuple[dict, Any]:
        """The values of the field's dataset columns for one cell, and its phrase match (the
        vocabulary's reading of a multi-label text, else None)."""
        by_part = {c.part: c.name for c in columns}
        return {by_part["value"]: text or None}, None


def negative_problem(kind: FieldType, fld, text: str) -> str | None:
    """`-3` where values are 0 or more: said so, not "is not a number"."""
    negative = NEGATIVE_RE.match(text)
    if not negative:
        return None
    try:
        kind.parse(fld, negative.group(1))
    except ValueProblem:
        return None
    low = fld.range[0] if fld.range is not None else 0
    return f"is negative, below the allowed minimum {low:g}"
