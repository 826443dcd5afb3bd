"""Type `combined`: one printed cell read into several typed parts (`32—ANED`: a follow-up and
an outcome; `Surgery (recur)`: a treatment and a bracketed note). Each part is a field
declaration of its own type (its name is its dataset column's name): it is validated, harmonised
and summarised as that type, and its problems name the part. A declared not-reported token
alone (`n/a`) gives every part that token."""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import combinations

from reviewflow.extraction.types.base import ColumnMaker, FieldType
from reviewflow.extraction.values import ValueProblem

DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"  # hyphens, figure/en/em dash, minus
DASH_RE = re.compile(rf"\s*[{DASHES}]\s*")
BRACKETED_RE = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
MAX_SEPARATORS = 8  # more in one cell: cut at the first ones without trying every choice


class Combined(FieldType):
    name = "combined"
    keys = frozenset({"parts", "separator"})
    has_parts = True
    reference = (
        "One printed cell read into several typed `parts` (each a field declaration of its own "
        "type, named as its dataset columns): `32—ANED` (follow-up — outcome: `separator: dash`, "
        "the default, takes any dash with any spacing, or give a literal text; a cell is cut "
        "where every part is valid, so 12-24—ANED keeps its range), `Surgery (recur)` (a part "
        "with `brackets: true` is read from a trailing (...), and may be absent when not "
        "required)."
    )

    def declare(self, data, where, problems):
        parts = data.get("parts")
        if not isinstance(parts, list) or len(parts) < 2:
            problems.append(f"{where}: parts: {parts!r}: two or more field declarations")
            return
        separator = data.get("separator", "dash")
        if not isinstance(separator, str) or not separator.strip():
            problems.append(f"{where}: separator: {separator!r}: dash, or a literal text")
        plain = [p for p in parts if isinstance(p, dict) and not p.get("brackets")]
        if not plain:
            problems.append(f"{where}: parts: every part has brackets: at least one without")

    def allowed(self, fld):
        """`follow_up (a number ...) — outcome (one of ...)`, then each bracketed part; the
        not-reported tokens are said once, after the whole."""
        shown = {p.name: f"{p.name} ({replace(p, tokens={}).allowed()})" for p in fld.parts}
        between = " — " if fld.separator == "dash" else f" {fld.separator} "
        text = between.join(shown[p.name] for p in fld.parts if not p.brackets)
        for part in (p for p in fld.parts if p.brackets):
            text += f", then in brackets {shown[part.name]}"
        return text

    def words_suffix(self, fld):
        return ""

    def check(self, fld, text):
        try:
            pieces = split_cell(fld, text)
        except ValueProblem as problem:
            return str(problem)
        for part, piece in pieces:
            problem = part.check(piece)
            if problem:
                return f"({part.name}) {piece!r} {problem}"
        return None

    def parse(self, fld, text):
        return [
            v
            for part, piece in split_cell(fld, text)
            if not part.is_blank(piece)
            for v in part.parse(piece)
        ]

    def pieces(self, fld, text):
        return split_cell(fld, text)

    def columns(self, maker):
        made = []
        for part in maker.fld.parts:
            part_maker = ColumnMaker(
                part, maker.source, maker.vocabulary, maker.path, maker.problems
            )
            made += part.kind.columns(part_maker)
        return made

    def values(self, fld, text, columns, vocabulary):
        values, found = {}, None
        for part, piece in split_cell(fld, text):
            own = [c for c in columns if c.field == part.name]
            part_values, match = part.values(piece, own, vocabulary)
            values.update(part_values)
            found = found or match
        return values, found


def split_cell(fld, text: str) -> list[tuple]:
    """(part, its text) for every part of a combined cell; ValueProblem when the cell cannot be
    split as declared. A blank cell or a token alone gives every part that text; one of the
    field's own `words` gives every part a blank."""
    text = text.strip()
    if text in fld.words:
        return [(part, "") for part in fld.parts]
    if text == "" or text in fld.tokens:
        return [(part, text) for part in fld.parts]
    found: dict[str, str] = {}
    rest = text
    for part in reversed([p for p in fld.parts if p.brackets]):
        match = BRACKETED_RE.match(rest)
        if match:
            rest, found[part.name] = match.group(1), match.group(2).strip()
        else:
            found[part.name] = ""
    plain = [p for p in fld.parts if not p.brackets]
    pieces = plain_pieces(fld, plain, rest)
    if len(pieces) < len(plain) and not all(not p.required for p in plain[len(pieces) :]):
        missing = plain[len(pieces)].name
        raise ValueProblem(f"has no {missing} part (separated by {separator_words(fld)})")
    pieces += [""] * (len(plain) - len(pieces))
    for part, piece in zip(plain, pieces, strict=True):
        found[part.name] = piece.strip()
    return [(part, found[part.name]) for part in fld.parts]


def plain_pieces(fld, plain: list, rest: str) -> list[str]:
    """The texts of the parts that are not bracketed: cut at the separators that give every part
    a valid text (`12-24—ANED`: the range keeps its hyphen), else at the first ones."""
    regex = DASH_RE if fld.separator == "dash" else re.compile(rf"\s*{re.escape(fld.separator)}\s*")
    found = list(regex.finditer(rest))
    cuts_list = list(combinations(found, len(plain) - 1)) if len(found) <= MAX_SEPARATORS else []
    for cuts in cuts_list:
        starts = [0, *(m.end() for m in cuts)]
        ends = [*(m.start() for m in cuts), len(rest)]
        pieces = [rest[a:b] for a, b in zip(starts, ends, strict=True)]
        if all(p.check(t.strip()) is None for p, t in zip(plain, pieces, strict=True)):
            return pieces
    return regex.split(rest, maxsplit=len(plain) - 1)


def separator_words(fld) -> str:
    return "a dash" if fld.separator == "dash" else repr(fld.separator)


COMBINED = Combined()
