"""Type `choice`: one of the `words` listed (a drop-down in the workbook)."""

from __future__ import annotations

from reviewflow.extraction.types.base import FieldType


class Choice(FieldType):
    name = "choice"
    keys = frozenset({"words"})
    reference = (
        "One of the `words` listed (a drop-down in the workbook); the vocabulary's `coded` "
        "section maps each to a dataset value."
    )
    drop_down = True  # the workbook offers its words in a drop-down

    def declare(self, data, where, problems):
        if not data.get("words"):
            problems.append(f"{where}: words: missing: a choice needs its allowed words")

    def allowed(self, fld):
        return f"one of {', '.join(fld.words)}"

    def words_suffix(self, fld):
        return ""

    def check(self, fld, text):
        return "is not an allowed value"

    def columns(self, maker):
        coded = maker.vocabulary.coded.get(maker.fld.name)
        return maker.single(enum=coded.enum if coded is not None else tuple(maker.fld.words))

    def values(self, fld, text, columns, vocabulary):
        name = next(c.name for c in columns if c.part == "value")
        coded = vocabulary.coded.get(fld.name)
        if coded is not None:
            return {name: coded.values.get(text) or None}, None
        return {name: text or None}, None


CHOICE = Choice()
