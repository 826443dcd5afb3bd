"""Type `integer`: a whole number (a year, a count)."""

from __future__ import annotations

import re

from reviewflow.extraction.types.base import FieldType
from reviewflow.extraction.values import ValueProblem

INTEGER_RE = re.compile(r"^\d+$")


class Integer(FieldType):
    name = "integer"
    keys = frozenset({"range", "plausible"})
    reference = "A whole number (a year, a count), with its possible `range` and `plausible` range."
    ranged = True
    typed_as_number = True

    def allowed(self, fld):
        return "a whole number"

    def parse(self, fld, text):
        if not INTEGER_RE.match(text):
            raise ValueProblem("is not a whole number")
        return [float(text)]

    def columns(self, maker):
        return maker.single("integer")

    def values(self, fld, text, columns, vocabulary):
        value = None if fld.is_blank(text) else int(text)
        return {next(c.name for c in columns if c.part == "value"): value}, None


INTEGER = Integer()
