"""Types `id` (a unique identifier of the row) and `ref` (an identifier of another sheet's row)."""

from __future__ import annotations

import re

from reviewflow.extraction.types.base import FieldType
from reviewflow.extraction.values import ValueProblem


class Id(FieldType):
    name = "id"
    accepts_tokens = False
    keys = frozenset({"pattern", "example"})
    reference = (
        "A unique identifier of the row (patient or article), checked against a `pattern`; "
        "never reuse or renumber one."
    )
    unique = True

    def declare(self, data, where, problems):
        try:
            re.compile(data.get("pattern") or "")
        except re.error as error:
            problems.append(f"{where}: pattern: {error}: a Python regular expression")
        if not data.get("pattern"):
            problems.append(f"{where}: pattern: missing: an id needs a pattern")

    def allowed(self, fld):
        return f"a unique id like {fld.example} (pattern {fld.pattern})"

    def parse(self, fld, text):
        if not re.fullmatch(fld.pattern, text):
            raise ValueProblem("does not match the id pattern")
        return []


class Ref(Id):
    name = "ref"
    keys = frozenset({"pattern", "example", "references", "continues"})
    reference = (
        "An identifier of a row of another sheet (`references: sheet.field`), e.g. the article "
        "a patient comes from."
    )
    links = True
    unique = False

    def allowed(self, fld):
        return f"an id like {fld.example} listed in {fld.references}"


ID, REF = Id(), Ref()
