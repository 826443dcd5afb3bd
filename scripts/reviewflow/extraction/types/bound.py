"""Type `bound`: a printed number, range or bound (11.2, 120-130, >10), read into its low and
high bounds and how it was printed; with `approximate:`, a number after one of its words
(`~40`, `approximately 40`) is read as itself, qualified `approximate`; with `units:`, a unit
after the value (`<1 year`, `6 months`) converts it to the field's `unit`."""

from __future__ import annotations

import re

from reviewflow.extraction.types.base import FieldType
from reviewflow.extraction.values import (
    EXACT,
    GREATER_THAN,
    LESS_THAN,
    RANGE,
    ValueProblem,
    parse_bound,
)
from reviewflow.extraction.values import (
    Bound as Printed,
)

BOUND_PARTS = ("low", "high", "qualifier")
QUALIFIERS = (EXACT, RANGE, GREATER_THAN, LESS_THAN)
APPROXIMATE = "approximate"
UNIT_SUFFIX_RE = re.compile(r"^(.*?\d%?)\s*([^\d\s%][^\d%]*?)$")  # "6 months", "<1 yr"


class Bound(FieldType):
    name = "bound"
    keys = frozenset({"range", "plausible", "unit", "units", "percent_sign", "approximate"})
    reference = (
        "A printed number, range or bound (11.2, 120-130, >10); with `approximate:` also an "
        "approximate number (~40, approximately 40), with `units:` a unit after it (<1 year, "
        "6 months), converted to `unit`; the dataset gets `_low`, `_high` and `_qualifier` "
        "columns."
    )
    ranged = True

    def declare(self, data, where, problems):
        words = data.get("approximate")
        if words is not None and (
            not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words)
        ):
            problems.append(
                f"{where}: approximate: {words!r}: the words printed before an approximate "
                "number, e.g. ['~', approximately, ca.] (quote '~': unquoted, YAML reads it as "
                "empty)"
            )
        units = data.get("units")
        if units is not None and (
            not isinstance(units, dict)
            or not units
            or not all(
                isinstance(f, int | float) and not isinstance(f, bool) and f > 0
                for f in units.values()
            )
        ):
            problems.append(
                f"{where}: units: {units!r}: the units a cell may end with, each mapped to its "
                "factor to `unit`, e.g. {year: 1, years: 1, months: 0.0833333333}"
            )

    def allowed(self, fld):
        text = "a number (11.2), a range (120–130, 15-45) or a bound (>10)"
        if fld.approximate:
            text += f", or {' or '.join(fld.approximate)} before a number (~40)"
        if fld.units:
            text += f", optionally followed by a unit ({', '.join(fld.units)})"
        return text + (", optionally with %" if fld.percent_sign else "")

    def parse(self, fld, text):
        bound = read_bound(fld, text)
        return [bound.low, bound.high]

    def columns(self, maker):
        """`<name>_low`, `<name>_high` and `<name>_qualifier`."""
        defaults = {
            "low": f"Low bound of the printed {maker.fld.label}.",
            "high": 'High bound (empty for ">n").',
            "qualifier": "How the value was printed.",
        }
        unknown = sorted(set(maker.spec.get("descriptions") or {}) - set(BOUND_PARTS))
        if unknown:
            maker.problems.append(
                f"{maker.path}: {maker.fld.name}.dataset.descriptions: {', '.join(unknown)}: "
                f"one of {', '.join(BOUND_PARTS)}"
            )
        unit = maker.spec.get("unit", maker.fld.unit)
        return [
            maker.column(
                f"{maker.name}_{part}",
                "string" if part == "qualifier" else "number",
                maker.described(part, defaults[part]),
                part=part,
                unit=None if part == "qualifier" else unit,
                enum=qualifiers(maker.fld) if part == "qualifier" else None,
                label=f"{maker.label} ({part})",
            )
            for part in BOUND_PARTS
        ]

    def values(self, fld, text, columns, vocabulary):
        by_part = {c.part: c.name for c in columns}
        bound = None if fld.is_blank(text) else read_bound(fld, text)
        return {
            by_part[part]: None if bound is None else getattr(bound, part) for part in BOUND_PARTS
        }, None


def qualifiers(fld) -> tuple[str, ...]:
    """The qualifiers a field's values may have (`approximate` only when it declares words)."""
    return (*QUALIFIERS, APPROXIMATE) if fld.approximate else QUALIFIERS


def read_bound(fld, text: str) -> Printed:
    """The printed value's bounds in the field's `unit`: a number after an `approximate` word
    is itself, qualified `approximate` ("~40" -> 40, 40, approximate); a unit of `units` after
    the value converts it ("6 months" -> 0.5 for years)."""
    for word in sorted(fld.approximate, key=len, reverse=True):
        if text.startswith(word):
            bound = scaled(fld, text[len(word) :].strip())
            if bound.qualifier == EXACT:
                return Printed(bound.low, bound.high, APPROXIMATE)
    return scaled(fld, text)


def scaled(fld, text: str) -> Printed:
    """A number, range or bound, with the unit it ends with (when the field declares `units`)
    converted to the field's unit."""
    match = UNIT_SUFFIX_RE.match(text) if fld.units else None
    if match is None:
        return parse_bound(text, percent=bool(fld.percent_sign))
    value, unit = match.groups()
    if unit not in fld.units:
        raise ValueProblem(f"has the unknown unit {unit!r}")
    bound = parse_bound(value, percent=bool(fld.percent_sign))
    factor = fld.units[unit]
    return Printed(
        None if bound.low is None else round(bound.low * factor, 10),
        None if bound.high is None else round(bound.high * factor, 10),
        bound.qualifier,
    )


BOUND = Bound()
