"""The harmonisation vocabulary (extraction/vocabulary.yaml): how raw phrases become categories.

`coded`: whole-cell words of a field -> one dataset value each. `phrases`: groups of phrases read
by one or more text fields; each phrase names categories, each category becomes a boolean column
`<prefix><category>` of the field. `derived`: boolean columns computed from others, each by a
condition of the review's one condition language (`when`, `reviewflow.core.conditions`). The file is
checked against the fields of the codebook's dataset sheet; all problems are reported at once.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from pathlib import Path
from typing import TYPE_CHECKING

from reviewflow.core.conditions import columns_used, condition_problems
from reviewflow.core.yamlfile import read_yaml

if TYPE_CHECKING:
    from reviewflow.extraction.codebook import Field, Sheet

SEPARATOR_CHARS = " ,"
SEPARATOR_WORDS = ("and",)


@dataclass(frozen=True)
class Phrase:
    """A raw phrase and the categories it names; `spelling_of` marks a variant spelling."""

    text: str
    categories: tuple[str, ...]
    spelling_of: str | None = None
    note: str = ""


@dataclass(frozen=True)
class PhraseMatch:
    not_reported: bool
    categories: frozenset[str]
    hits: tuple[tuple[str, Phrase], ...]  # (text as typed, vocabulary phrase)
    unknown: tuple[str, ...]
    group: PhraseGroup | None = dataclass_field(default=None, compare=False)  # who read it


@dataclass(frozen=True)
class PhraseGroup:
    """Phrases shared by one or more workbook fields, each giving columns `<prefix><category>`."""

    name: str
    fields: dict[str, str]
    categories: tuple[str, ...]
    not_reported: tuple[str, ...]
    phrases: tuple[Phrase, ...]

    def columns(self, field: str) -> list[str]:
        return [self.fields[field] + category for category in self.categories]

    def match(self, text: str) -> PhraseMatch:
        """Split `text` into known phrases; a not_reported marker (or its variant) is whole-cell."""
        if text in self.not_reported:
            return PhraseMatch(True, frozenset(), (), (), self)
        whole = next((p for p in self.phrases if p.text == text), None)
        if whole is not None and whole.spelling_of in self.not_reported:
            return PhraseMatch(True, frozenset(), ((text, whole),), (), self)
        hits, unknown = split_phrases(text, self.phrases)
        categories = frozenset(c for _, phrase in hits for c in phrase.categories)
        return PhraseMatch(False, categories, tuple(hits), tuple(unknown), self)


@dataclass(frozen=True)
class Coded:
    """The dataset value of each whole-cell word of a field ("" = not described: empty)."""

    field: str
    values: dict[str, str]

    @property
    def enum(self) -> tuple[str, ...]:
        """The non-empty dataset values, in the order the file gives them."""
        return tuple(dict.fromkeys(v for v in self.values.values() if v))


@dataclass(frozen=True)
class Derived:
    """A boolean column: where its condition `when` holds (a condition of the review's
    language), empty where every column the condition reads is empty."""

    column: str
    when: dict
    description: str = ""

    @property
    def any_of(self) -> tuple[str, ...]:
        """The columns the condition reads (its sources), in order."""
        return tuple(dict.fromkeys(columns_used(self.when, {})))


@dataclass(frozen=True)
class Vocabulary:
    path: str
    coded: dict[str, Coded]
    groups: tuple[PhraseGroup, ...]
    derived: dict[str, Derived]

    def group_for(self, field: str) -> PhraseGroup | None:
        return next((g for g in self.groups if field in g.fields), None)


def first_letter_matches(text: str, pos: int, phrase: str) -> bool:
    """Does `phrase` start at `pos`, ending at a separator or the end (first letter: any case)?"""
    end = pos + len(phrase)
    if end > len(text) or (end < len(text) and text[end] not in SEPARATOR_CHARS):
        return False
    return text[pos].lower() == phrase[0].lower() and text[pos + 1 : end] == phrase[1:]


# id of a phrase tuple -> (the tuple, its index): found by identity, not by hashing every phrase
_FIRST_LETTER_INDEXES: dict[int, tuple[tuple[Phrase, ...], dict[str, tuple[Phrase, ...]]]] = {}


def phrases_by_first_letter(phrases: tuple[Phrase, ...]) -> dict[str, tuple[Phrase, ...]]:
    """The phrases that may start with each (lower-case) first letter, longest first (the order
    in which `split_phrases` tries them); sorted once per phrase group, not once per cell."""
    cached = _FIRST_LETTER_INDEXES.get(id(phrases))
    if cached is None or cached[0] is not phrases:
        index: dict[str, list[Phrase]] = {}
        for phrase in sorted(phrases, key=lambda p: -len(p.text)):
            index.setdefault(phrase.text[:1].lower(), []).append(phrase)
        cached = (phrases, {letter: tuple(found) for letter, found in index.items()})
        _FIRST_LETTER_INDEXES[id(phrases)] = cached
    return cached[1]


def split_phrases(text: str, phrases: tuple[Phrase, ...]) -> tuple[list, list[str]]:
    """Longest known phrases of `text`, left to right; runs of unknown words are returned whole."""
    by_first = phrases_by_first_letter(phrases)
    hits: list[tuple[str, Phrase]] = []
    unknown: list[str] = []
    pending: list[int] = []  # [start, end] of a run of unknown words

    def flush() -> None:
        if pending:
            unknown.append(text[pending[0] : pending[1]])
            pending.clear()

    pos = 0
    while pos < len(text):
        if text[pos] in SEPARATOR_CHARS:
            pos += 1
            continue
        candidates = by_first.get(text[pos].lower(), ())
        hit = next((p for p in candidates if first_letter_matches(text, pos, p.text)), None)
        if hit is not None:
            flush()
            hits.append((text[pos : pos + len(hit.text)], hit))
            pos += len(hit.text)
            continue
        end = pos
        while end < len(text) and text[end] not in SEPARATOR_CHARS:
            end += 1
        if text[pos:end].lower() in SEPARATOR_WORDS:
            flush()
        elif pending:
            pending[1] = end
        else:
            pending.extend([pos, end])
        pos = end
    flush()
    return hits, unknown


def unknown_phrase_problems(sheet, vocabulary: Vocabulary, spec: Sheet | None = None) -> list[str]:
    """Every phrase of `sheet` (a `RawSheet`) that the vocabulary does not know, by row and
    then in column order, each naming its cell; with the codebook's `spec` of the sheet, a
    combined cell's parts are read by their own groups and not-reported tokens are skipped."""
    problems = []
    specs: dict[str, Field] = {}
    for fld in spec.fields if spec is not None else ():
        specs.setdefault(fld.name, fld)  # the first of a name, as Sheet.field finds it
    groups: dict[str, PhraseGroup | None] = {}
    unknowns: dict[tuple[str, str], tuple[str, ...]] = {}  # the same text is matched once
    for raw, cells in zip(sheet.rows, sheet.cells, strict=True):
        for field in sheet.fields:
            if field not in raw:
                continue
            for name, text in cell_pieces(specs.get(field), field, raw[field]):
                if name not in groups:
                    groups[name] = vocabulary.group_for(name)
                group = groups[name]
                if group is None:
                    continue
                if (name, text) not in unknowns:
                    unknowns[(name, text)] = group.match(text).unknown
                for unknown in unknowns[(name, text)]:
                    problems.append(
                        unknown_phrase(cells[field], raw[field], field, unknown, group, vocabulary)
                    )
    return problems


def cell_pieces(fld: Field | None, field: str, text: str) -> list[tuple[str, str]]:
    """(field or part name, text) of one cell of `field` a phrase group may read: not a
    not-reported token, and none from a combined cell that cannot be split (the workbook check
    names it); `fld`: the field in the codebook's sheet (None: read whole)."""
    if fld is None:
        return [(field, text)]
    try:
        pieces = fld.pieces(text)
    except ValueError:
        return []
    return [(part.name, piece) for part, piece in pieces if piece not in part.tokens]


def unknown_phrase(cell, text, field, unknown, group: PhraseGroup, vocabulary: Vocabulary) -> str:
    return (
        f"{cell}: {text!r}: {field} has the unknown phrase {unknown!r}: a phrase of group "
        f"{group.name} in {vocabulary.path} (add it there with its categories)"
    )


# --- loading ------------------------------------------------------------------------------


def read_vocabulary(path: str | Path, sheet: Sheet, problems: list[str]) -> Vocabulary:
    """Read the vocabulary and check it against the fields of `sheet`; problems are appended
    (the caller reports them together with its own)."""
    path = str(path)
    data = read_yaml(path) or {}
    problems += top_level_problems(path, data)
    if not isinstance(data, dict):
        data = {}
    coded = {}
    for field, spec in (data.get("coded") or {}).items():
        spec = spec or {}
        values = {str(k): ("" if v is None else str(v)) for k, v in spec.get("values", {}).items()}
        booleans = [str(k) for k, v in spec.get("values", {}).items() if isinstance(v, bool)]
        if booleans:
            problems.append(
                f"{path}: coded.{field}: {', '.join(booleans)}: a value read as true/false (YAML "
                "reads yes/no/true/false unquoted as booleans): a quoted value such as 'yes'"
            )
        coded[field] = Coded(field, values)
        if field in sheet.names:
            missing = [w for w in sheet.field(field).words if w not in values]
            if missing:
                problems.append(
                    f"{path}: coded.{field}: {', '.join(missing)}: allowed by the codebook but not "
                    "mapped: a value for every allowed word"
                )
        else:
            problems.append(
                f"{path}: coded.{field}: not a field of sheet {sheet.name}: a field name"
            )
    groups = tuple(
        _group(name, spec or {}, path, problems)
        for name, spec in (data.get("phrases") or {}).items()
    )
    for group in groups:
        for field in group.fields:
            if field not in sheet.names:
                problems.append(
                    f"{path}: phrases.{group.name}: {field}: not a field of {sheet.name}"
                )
    covered = {f for g in groups for f in g.fields}
    for field in sheet.fields:
        if field.vocabulary and field.name not in covered:
            problems.append(f"{path}: phrases: no group reads field {field.name}: a phrase group")
    derived = {}
    for column, spec in (data.get("derived") or {}).items():
        spec = spec if isinstance(spec, dict) else {}
        where = f"{path}: derived.{column}"
        if "any_of" in spec:
            problems.append(
                f"{where}: any_of: the old form: write the condition, e.g. "
                "when: {any: [{is_true: a}, {is_true: b}]}"
            )
            continue
        if set(spec) - {"when", "description"} or "when" not in spec:
            problems.append(f"{where}: {spec!r}: a mapping of when (a condition) and description")
            continue
        found = condition_problems(f"{where}.when", spec["when"], named={}, parameters={})
        problems += found
        if not found:
            description = " ".join(str(spec.get("description", "")).split())
            derived[column] = Derived(column, spec["when"], description)
    return Vocabulary(path, coded, groups, derived)


TOP_LEVEL_KEYS = ("coded", "phrases", "derived")


def top_level_problems(path: str, data) -> list[str]:
    """The file is a mapping of coded, phrases and derived only: another key (a typo such as
    `phrase:`, or a group indented too little) would be ignored, so it is a problem."""
    allowed = ", ".join(TOP_LEVEL_KEYS)
    if not isinstance(data, dict):
        return [f"{path}: a {type(data).__name__}: the vocabulary is a mapping of {allowed}"]
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    problems = []
    for key in data:
        if key in TOP_LEVEL_KEYS:
            continue
        at = next((n for n, line in enumerate(lines, 1) if line.startswith(f"{key}:")), None)
        close = difflib.get_close_matches(str(key), TOP_LEVEL_KEYS, n=1)
        hint = f" (did you mean {close[0]}?)" if close else ""
        problems.append(
            f"{path}{f':{at}' if at else ''}: {key!r}: unknown top-level key{hint}: the "
            f"vocabulary has only {allowed} (a phrase group goes under phrases:, indented)"
        )
    return problems


def _group(name: str, spec: dict, path: str, problems: list[str]) -> PhraseGroup:
    categories = tuple(spec.get("categories", []))
    not_reported = tuple(str(x) for x in spec.get("not_reported", []))
    raw = {str(k): v for k, v in (spec.get("phrases") or {}).items()}
    phrases = []
    for text, entry in raw.items():
        entry = {"categories": entry} if isinstance(entry, list) else dict(entry or {})
        target = entry.get("spelling_of")
        cats = entry.get("categories")
        if cats is None and target is not None:
            if target in not_reported:
                cats = []
            elif isinstance(raw.get(target), list):
                cats = raw[target]
            elif isinstance(raw.get(target), dict) and "categories" in raw[target]:
                cats = raw[target]["categories"]
            else:
                problems.append(
                    f"{path}: phrases.{name}: {text!r}: spelling_of {target!r} is neither a phrase "
                    "nor a not_reported marker: a phrase of this group, or categories"
                )
                cats = []
        if cats is None:
            problems.append(
                f"{path}: phrases.{name}: {text!r}: no categories: a list of categories"
            )
            cats = []
        unknown = [c for c in cats if c not in categories]
        if unknown:
            problems.append(
                f"{path}: phrases.{name}: {text!r}: unknown categories {', '.join(unknown)}: "
                f"one of {', '.join(categories)}"
            )
        phrases.append(Phrase(text, tuple(cats), target, str(entry.get("note", ""))))
    return PhraseGroup(name, dict(spec.get("fields", {})), categories, not_reported, tuple(phrases))
