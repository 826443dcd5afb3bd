"""Type `levels`: codes separated by single spaces (`codes`, e.g. C T L for spinal levels)."""

from __future__ import annotations

from reviewflow.extraction.types.base import FieldType, readable
from reviewflow.extraction.values import parse_levels


class Levels(FieldType):
    name = "levels"
    keys = frozenset({"codes"})
    reference = (
        "Codes separated by spaces (`codes`, e.g. C T L for spinal levels); the dataset gets one "
        "flag per code."
    )

    def allowed(self, fld):
        return (
            "codes "
            + ", ".join(f"{c} ({n})" for c, n in fld.codes.items())
            + " separated by single spaces, each at most once"
        )

    def parse(self, fld, text):
        parse_levels(text, list(fld.codes))
        return []

    def columns(self, maker):
        """One flag per code (`prefix` + its name), then the canonical codes."""
        fld = maker.fld
        prefix = str(maker.spec.get("prefix", f"{fld.name}_"))
        flags = [
            maker.column(
                prefix + code_name,
                "boolean",
                maker.described(code, f"{readable(code_name)} ({code})"),
                part=f"level:{code}",
                label=readable(code_name),
            )
            for code, code_name in fld.codes.items()
        ]
        order = " ".join(fld.codes)
        default = f'Canonical codes in the order {order}, e.g. "{order}".'
        description = maker.spec.get("description", default)
        return [*flags, maker.column(maker.name, "string", description, "codes", label=maker.label)]

    def values(self, fld, text, columns, vocabulary):
        blank = fld.is_blank(text)
        codes = () if blank else parse_levels(text, list(fld.codes))
        values = {
            c.name: None if blank else c.part.split(":", 1)[1] in codes
            for c in columns
            if c.part.startswith("level:")
        }
        values[next(c.name for c in columns if c.part == "codes")] = (
            None if blank else " ".join(codes)
        )
        return values, None


LEVELS = Levels()
