"""Type `bound`: a printed number, range or bound (11.2, 120-130, >10), read into its low and
high bounds and how it was printed."""

from __future__ import annotations

from reviewflow.extraction.types.base import FieldType
from reviewflow.extraction.values import EXACT, GREATER_THAN, LESS_THAN, RANGE, parse_bound

BOUND_PARTS = ("low", "high", "qualifier")
QUALIFIERS = (EXACT, RANGE, GREATER_THAN, LESS_THAN)


class Bound(FieldType):
    name = "bound"
    keys = frozenset({"range", "plausible", "unit", "percent_sign"})
    reference = (
        "A printed number, range or bound (11.2, 120-130, >10); the dataset gets `_low`, `_high` "
        "and `_qualifier` columns."
    )
    ranged = True

    def allowed(self, fld):
        return "a number (11.2), a range (120–130, 15-45) or a bound (>10)" + (
            ", optionally with %" if fld.percent_sign else ""
        )

    def parse(self, fld, text):
        bound = parse_bound(text, percent=bool(fld.percent_sign))
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
                enum=QUALIFIERS if part == "qualifier" else None,
                label=f"{maker.label} ({part})",
            )
            for part in BOUND_PARTS
        ]

    def values(self, fld, text, columns, vocabulary):
        by_part = {c.part: c.name for c in columns}
        bound = None if fld.is_blank(text) else parse_bound(text, percent=bool(fld.percent_sign))
        return {
            by_part[part]: None if bound is None else getattr(bound, part) for part in BOUND_PARTS
        }, None


BOUND = Bound()
