"""Type `number`: a number as printed (37, 11.2, 3,260); with `status:`, a status column read
from it against a threshold (and from its words through the vocabulary's coded values)."""

from __future__ import annotations

from typing import Any

from reviewflow.extraction.types.base import FieldType
from reviewflow.extraction.values import parse_number


class Number(FieldType):
    name = "number"
    keys = frozenset({"range", "plausible", "unit", "status"})
    reference = (
        "A number as printed (37, 11.2, 3,260), with `unit`, `range` and `plausible` range; "
        "`words` such as NR are accepted too."
    )
    ranged = True
    typed_as_number = True
    takes_status = True

    def allowed(self, fld):
        return "a number such as 37, 11.2 or 3,260"

    def parse(self, fld, text):
        return [parse_number(text)]

    def columns(self, maker):
        return number_columns(maker)

    def values(self, fld, text, columns, vocabulary):
        by_part = {c.part: c.name for c in columns}
        return number_values(fld, text, by_part, vocabulary), None


def number_columns(maker) -> list:
    """A number or duration's value column; with `status:`, a status column after it."""
    fld, coded = maker.fld, maker.vocabulary.coded.get(maker.fld.name)
    description = maker.spec.get("description", fld.label)
    unit = maker.spec.get("unit", fld.unit)
    value = maker.column(maker.name, "number", description, unit=unit, label=maker.label)
    if coded is not None and fld.status is None:
        maker.problems.append(
            f"{maker.path}: {fld.name}: coded in {maker.vocabulary.path} but without "
            "`status:`: a number's words are read as a status column only with status: "
            "{above, above_means, at_most_means}"
        )
    if fld.status is None:
        return [value]
    spec = maker.spec.get("status") or {}
    enum = list(coded.enum) if coded else []
    enum += [v for v in (fld.status["at_most_means"], fld.status["above_means"]) if v not in enum]
    status = maker.column(
        str(spec.get("name", f"{fld.name}_status")),
        "string",
        spec.get("description", f"{fld.label}: status"),
        part="status",
        enum=enum,
        label=spec.get("label", f"{fld.label} status"),
    )
    return [value, status]


def number_values(fld, text: str, by_part: dict[str, str], vocabulary) -> dict[str, Any]:
    """A number's value column, and its status column when the field declares `status:` (a
    word through the vocabulary's coded values, a number against the threshold)."""
    coded = vocabulary.coded.get(fld.name)
    values: dict[str, Any] = {by_part["value"]: None}
    if fld.status is not None:
        values[by_part["status"]] = None
    if fld.is_blank(text):
        if fld.status is not None and coded is not None:
            values[by_part["status"]] = coded.values.get(text) or None
        return values
    number = parse_number(text)
    values[by_part["value"]] = number
    if fld.status is not None:
        above = number > fld.status["above"]
        values[by_part["status"]] = fld.status["above_means" if above else "at_most_means"]
    return values


NUMBER = Number()
