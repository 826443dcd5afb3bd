"""The extraction codebook (extraction/codebook.yaml): the one schema of the workbook and dataset.

The codebook is the single definition from which the blank workbook template, the workbook
validation, the harmonised dataset's columns (derived from each field's type, with the
vocabulary's categories), the data dictionary (codebook.md), the Frictionless table schema and
the quality checks are made. Every problem in it (and in the vocabulary read with it) is
reported at once, located as `file: sheet.field: key`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from reviewflow.core.errors import raise_if_any
from reviewflow.core.yamlfile import read_yaml
from reviewflow.extraction.quality_checks import quality_check_problems
from reviewflow.extraction.types import TYPES, Column, ColumnMaker, FieldType, readable
from reviewflow.extraction.types.base import num as _num
from reviewflow.extraction.vocabulary import Vocabulary, read_vocabulary

FIELD_TYPES = set(TYPES)
COLUMN_TYPES = {"string", "integer", "number", "boolean"}
# Keys of every field; each type adds its own (`FieldType.keys`, e.g. a number's `status`).
COMMON_KEYS = {
    "name",
    "label",
    "type",
    "help",
    "required",
    "words",
    "unit",
    "width",
    "wrap",
    "blank_means",
    "dataset",
    "same_as",
    "brackets",
}
FIELD_KEYS = COMMON_KEYS.union(*(kind.keys for kind in TYPES.values()))
# Keys of a field's `dataset:` mapping (how its dataset columns are named and described).
DATASET_KEYS = {"name", "label", "description", "unit", "prefix", "descriptions", "status"}
STATUS_KEYS = {"above", "above_means", "at_most_means"}
# Values an added dataset column can hold (computed by the dataset stage, not read from a cell).
ADDED_VALUES = {"workbook_row", "possible_duplicates"}
# Keys of one meaning of the codebook's top-level `not_reported:` (review-wide tokens).
NOT_REPORTED_KEYS = {"tokens", "label"}
MEANING_RE = re.compile(r"^[a-z0-9_]+$")
# The descriptive table's columns (reviewflow.statistics.descriptive), in order; a not-reported
# meaning adds a count column after `not_reported`, so it may not take one of these names.
DESCRIPTIVE_COLUMNS = (
    "variable",
    "label",
    "category",
    "n_reported",
    "n_total",
    "not_reported",
    "statistic",
    "value",
)


@dataclass(frozen=True)
class Field:
    """One column of a workbook sheet."""

    name: str
    label: str
    type: str
    help: str = ""
    required: bool = True
    words: tuple[str, ...] = ()
    pattern: str | None = None
    example: str | None = None
    references: str | None = None
    range: tuple[float, float] | None = None
    plausible: tuple[float, float] | None = None
    unit: str | None = None
    units: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    percent_sign: str | None = None
    vocabulary: str | None = None
    width: float = 14
    wrap: bool = False
    blank_means: str | None = None
    status: dict[str, Any] | None = None  # a number also read as a status: above, *_means
    dataset: dict[str, Any] = field(default_factory=dict)  # its dataset columns' names, ...
    in_dataset: bool = True
    continues: str | None = None  # blank: the row above continues (this ref field equal)
    same_as: str | None = None  # `sheet.field` it must equal (in the row its ref field names)
    axes: tuple[int, int] = (1, 3)  # dimensions: fewest and most axes of a cell
    readings: tuple[str, ...] = ("largest",)  # dimensions: its dataset columns
    parts: tuple[Field, ...] = ()  # combined: its parts, each a field of its own type
    separator: str = "dash"  # combined: between its parts (any dash, or a literal text)
    brackets: bool = False  # a combined field's part read from a trailing (...)
    tokens: dict[str, str] = field(default_factory=dict)  # not-reported token -> its meaning
    approximate: tuple[str, ...] = ()  # bound: words before an approximate number (~, ca.)

    @property
    def kind(self) -> FieldType:
        """The field's type (its module of reviewflow.extraction.types)."""
        return TYPES[self.type]

    def allowed(self) -> str:
        """What is allowed in a cell of this field, in words (the end of an error message)."""
        kind = self.kind.allowed(self)
        if self.range and self.kind.ranged:
            kind += f" from {_num(self.range[0])} to {_num(self.range[1])}"
        kind += self.kind.words_suffix(self)
        if self.tokens:
            kind += ", or " + ", ".join(self.tokens)
        if not self.required:
            kind += f"; blank: {self.blank_means or 'not reported'}"
        return kind

    def check(self, text: str) -> str | None:
        """What is wrong with `text` (the raw cell text) for this field, or None when valid.

        Only the cell itself is checked; uniqueness and references are the reader's business.
        """
        if text == "":
            return None if not self.required else "is empty"
        if text in self.words or text in self.tokens:
            return None
        return self.kind.check(self, text)

    def parse(self, text: str) -> list[float | None]:
        """The numbers in a valid non-word value (empty for non-numeric types); a duration in
        its dataset unit."""
        return self.kind.parse(self, text)

    def is_blank(self, text: str) -> bool:
        """Blank, one of the field's words (ND...) or a not-reported token: no value to parse."""
        return text == "" or text in self.words or text in self.tokens

    def pieces(self, text: str) -> list[tuple[Field, str]]:
        """(field, text) read from one cell: itself, or a combined field's parts."""
        return self.kind.pieces(self, text)

    def values(self, text: str, columns: list[Column], vocabulary: Vocabulary):
        """The values of the field's dataset columns for one cell (none for a not-reported
        token), and its phrase match."""
        if text in self.tokens:
            return {c.name: None for c in columns}, None
        return self.kind.values(self, text, columns, vocabulary)

    @property
    def value_unit(self) -> str:
        """The unit of the field's values as the dataset holds them."""
        return self.kind.value_unit(self)


@dataclass(frozen=True)
class Sheet:
    name: str
    fields: tuple[Field, ...]
    help: str = ""

    @property
    def names(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)

    @property
    def read_by_parts(self) -> Sheet:
        """The sheet with each combined field replaced by its parts (what the vocabulary reads:
        its `coded` and `phrases` name a part like a field)."""
        fields = tuple(p for f in self.fields for p in (f.parts or (f,)))
        return replace(self, fields=fields)


@dataclass(frozen=True)
class Codebook:
    path: str
    sheets: tuple[Sheet, ...]
    other_sheets: tuple[str, ...]
    readings: tuple[dict, ...]
    quality_checks: dict[str, Any]
    columns: tuple[Column, ...]
    primary_key: str
    dataset_sheet: str = "cases"
    vocabulary: Vocabulary | None = None
    not_reported: dict[str, dict] = field(default_factory=dict)  # key -> {tokens, label}

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    def columns_of(self, field_name: str) -> list[Column]:
        """The dataset columns made from one workbook field (derived flags included)."""
        return [c for c in self.columns if c.field == field_name]

    def lookup(self, target: str) -> tuple[Field, Field] | None:
        """(ref field of the dataset sheet, field of the other sheet) for `sheet.field`."""
        sheet_name, _, name = target.partition(".")
        for fld in self.sheet(self.dataset_sheet).fields:
            if fld.kind.links and (fld.references or "").partition(".")[0] == sheet_name:
                other = self.sheet(sheet_name)
                if name in other.names:
                    return fld, other.field(name)
        return None


def load_codebook(path: str | Path, vocabulary: str | Path | None = None) -> Codebook:
    """Read and check the codebook (and, when given, the vocabulary read with it, from which the
    dataset columns are derived); every problem in either file is reported at once."""
    path = str(path)
    data = read_yaml(path) or {}
    problems: list[str] = []
    if not isinstance(data, dict):
        raise_if_any(path, [f"{path}: not a mapping: keys workbook, readings, dataset, ..."])
    workbook = data.get("workbook") or {}
    meanings = not_reported_meanings(data.get("not_reported"), path, problems)
    tokens = {t: key for key, meaning in meanings.items() for t in meaning["tokens"]}
    sheets = tuple(_sheet(s, path, problems, tokens) for s in workbook.get("sheets", []))
    if not sheets:
        problems.append(f"{path}: workbook.sheets: no sheet defined: at least one sheet")
    names = [s.name for s in sheets]
    for sheet in sheets:
        for fld in sheet.fields:
            if fld.references:
                target_sheet, _, target_field = fld.references.partition(".")
                if (
                    target_sheet not in names
                    or target_field not in next(s for s in sheets if s.name == target_sheet).names
                ):
                    problems.append(
                        f"{path}: {sheet.name}.{fld.name}: references {fld.references!r}: "
                        "no such sheet.field: a field of another sheet"
                    )
    dataset = data.get("dataset") or {}
    sheet_name = dataset.get("sheet", names[0] if names else "cases")
    codebook = Codebook(
        path=path,
        sheets=sheets,
        other_sheets=tuple(workbook.get("other_sheets", [])),
        readings=tuple(data.get("readings", [])),
        quality_checks=dict(data.get("quality_checks") or {}),
        columns=(),
        primary_key=dataset.get("primary_key", "case_id"),
        dataset_sheet=sheet_name,
        not_reported=meanings,
    )
    if sheet_name in names:
        problems += cross_rule_problems(codebook)
    if sheets and sheet_name not in names:
        problems.append(f"{path}: dataset.sheet: {sheet_name!r}: no such sheet: one of {names}")
    elif vocabulary is not None and sheets:
        vocab = read_vocabulary(vocabulary, codebook.sheet(sheet_name).read_by_parts, problems)
        columns = derive_columns(codebook, dataset, vocab, problems)
        codebook = replace(codebook, columns=columns, vocabulary=vocab)
        problems += quality_check_problems(codebook)
    raise_if_any(path, problems)
    return codebook


def cross_rule_problems(codebook: Codebook) -> list[str]:
    """`continues` must name a ref field of the same sheet, `same_as` a field reached through
    one; only the dataset sheet has such rules."""
    problems = []
    for sheet in codebook.sheets:
        for fld in sheet.fields:
            where = f"{codebook.path}: {sheet.name}.{fld.name}"
            own = sheet.name == codebook.dataset_sheet
            if fld.continues and not (
                own and fld.continues in sheet.names and sheet.field(fld.continues).kind.links
            ):
                problems.append(
                    f"{where}: continues: {fld.continues!r}: a ref field of sheet "
                    f"{codebook.dataset_sheet}"
                )
            if fld.same_as and not (own and codebook.lookup(str(fld.same_as))):
                problems.append(
                    f"{where}: same_as: {fld.same_as!r}: sheet.field of a sheet that a ref field "
                    f"of sheet {codebook.dataset_sheet} references"
                )
    return problems


def not_reported_meanings(data: Any, path: str, problems: list[str]) -> dict[str, dict]:
    """The codebook's `not_reported:` meanings ({key: {tokens, label}}), each token once."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path}: not_reported: {data!r}: a mapping of meanings to their tokens")
        return {}
    meanings, seen = {}, {}
    for key, spec in data.items():
        where = f"{path}: not_reported.{key}"
        if not MEANING_RE.match(str(key)) or key in DESCRIPTIVE_COLUMNS:
            problems.append(
                f"{where}: a name of lower-case letters, digits and _ that is not a column of "
                f"the descriptive table ({', '.join(sorted(DESCRIPTIVE_COLUMNS))})"
            )
        if not isinstance(spec, dict) or set(spec) - NOT_REPORTED_KEYS or not spec.get("tokens"):
            problems.append(f"{where}: {spec!r}: {{tokens: [text, ...], label: text}}")
            continue
        tokens = [str(t) for t in spec["tokens"]]
        for token in tokens:
            if token in seen:
                problems.append(
                    f"{where}: token {token!r} is listed twice (also in {seen[token]}): "
                    "each token once"
                )
            seen[token] = f"not_reported.{key}"
        meanings[str(key)] = {"tokens": tuple(tokens), "label": str(spec.get("label", key))}
    return meanings


def _sheet(data: dict, path: str, problems: list[str], tokens: dict | None = None) -> Sheet:
    name = data.get("name", "?")
    fields = tuple(
        _field(f, f"{path}: {name}", problems, tokens or {}) for f in data.get("fields", [])
    )
    names = [f.name for f in fields]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{path}: {name}.{dup}: field defined twice: unique field names")
    for fld in fields:
        for part in fld.parts:
            if part.name != fld.name and part.name in names:
                problems.append(
                    f"{path}: {name}.{fld.name}: part {part.name}: also a field of sheet "
                    f"{name}: a part name that no other field has"
                )
    return Sheet(name=name, fields=fields, help=data.get("help", ""))


def _pair(data: dict, key: str, where: str, problems: list[str]) -> tuple[float, float] | None:
    """A `[low, high]` pair of numbers, or None; anything else is a located problem."""
    value = data.get(key)
    if value is None:
        return None
    if (
        isinstance(value, list | tuple)
        and len(value) == 2
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
        and value[0] <= value[1]
    ):
        return (value[0], value[1])
    problems.append(
        f"{where}: {key}: {value!r}: not two numbers from low to high: [low, high], e.g. [0, 120]"
    )
    return None


def _field(data: dict, where: str, problems: list[str], tokens: dict | None = None) -> Field:
    name = data.get("name", "?")
    where = f"{where}.{name}"
    unknown = sorted(set(data) - FIELD_KEYS)
    if unknown:
        problems.append(
            f"{where}: unknown key(s) {', '.join(unknown)}: one of {', '.join(sorted(FIELD_KEYS))}"
        )
    kind = data.get("type")
    if kind not in FIELD_TYPES:
        problems.append(
            f"{where}: type {kind!r}: unknown type: one of {', '.join(sorted(FIELD_TYPES))}"
        )
        kind = "text"
    TYPES[kind].declare(data, where, problems)
    both = [str(w) for w in data.get("words") or [] if str(w) in (tokens or {})]
    if both and TYPES[kind].accepts_tokens:
        problems.append(
            f"{where}: words: {', '.join(both)}: also a not-reported token (not_reported:): "
            "one or the other"
        )
    parts = tuple(
        _field(p, where, problems, tokens)
        for p in (data.get("parts") or [] if TYPES[kind].has_parts else [])
        if isinstance(p, dict)
    )
    spec = data.get("dataset", {})
    in_dataset = spec is not False
    spec = spec if isinstance(spec, dict) else {}
    if data.get("dataset") not in (None, False) and not isinstance(data.get("dataset"), dict):
        problems.append(f"{where}: dataset: {data['dataset']!r}: a mapping, or false")
    extra = sorted(set(spec) - DATASET_KEYS)
    if extra:
        problems.append(
            f"{where}: dataset: unknown key(s) {', '.join(extra)}: "
            f"one of {', '.join(sorted(DATASET_KEYS))}"
        )
    TYPES[kind].declare_dataset(spec, where, problems)
    status = data.get("status")
    if status is not None:
        if (
            not TYPES[kind].takes_status
            or not isinstance(status, dict)
            or set(status) != STATUS_KEYS
        ):
            problems.append(
                f"{where}: status: {status!r}: only for a number, with the keys "
                f"{', '.join(sorted(STATUS_KEYS))}"
            )
            status = None
        elif not isinstance(status["above"], int | float):
            problems.append(f"{where}: status.above: {status['above']!r}: a number")
            status = None
    return Field(
        name=name,
        label=data.get("label", name),
        type=kind,
        help=" ".join(str(data.get("help", "")).split()),
        required=bool(data.get("required", True)),
        words=tuple(str(w) for w in data.get("words", [])),
        pattern=data.get("pattern"),
        example=data.get("example"),
        references=data.get("references"),
        range=_pair(data, "range", where, problems),
        plausible=_pair(data, "plausible", where, problems),
        unit=data.get("unit"),
        units=dict(data.get("units") or {}),
        codes=dict(data.get("codes") or {}),
        percent_sign=data.get("percent_sign"),
        vocabulary=data.get("vocabulary"),
        width=float(data.get("width", 14)),
        wrap=bool(data.get("wrap", False)),
        blank_means=data.get("blank_means"),
        status=dict(status) if status else None,
        dataset=dict(spec),
        in_dataset=in_dataset,
        continues=data.get("continues"),
        same_as=data.get("same_as"),
        axes=tuple(data.get("axes") or (1, 3)),
        readings=tuple(data.get("readings") or ("largest",)),
        parts=parts,
        separator=str(data.get("separator", "dash")),
        brackets=bool(data.get("brackets", False)),
        approximate=tuple(str(w) for w in data.get("approximate") or ()),
        tokens=dict(tokens or {}) if TYPES[kind].accepts_tokens else {},
    )


# --- the dataset columns, derived from the fields by type -------------------------------------


def derive_columns(
    codebook: Codebook, dataset: dict, vocabulary: Vocabulary, problems: list[str]
) -> tuple[Column, ...]:
    """The columns of cases.csv: the fields of the dataset sheet (first those `dataset.order`
    lists, which may name `sheet.field` looked up through a ref field, then the others in
    workbook order), each giving its columns by type; the vocabulary's derived flags after
    the columns they derive from; then `dataset.added`."""
    path = codebook.path
    sheet = codebook.sheet(codebook.dataset_sheet)
    order = list(dataset.get("order") or [])
    entries: list[tuple[Field, str]] = []  # (field, source as shown)
    for name in order:
        if "." in name:
            found = (
                codebook.lookup(name) if name.split(".")[0] in codebook_names(codebook) else None
            )
            if found is None:
                problems.append(
                    f"{path}: dataset.order: {name!r}: no ref field of sheet {sheet.name} "
                    "reaches it: a field of sheet "
                    f"{sheet.name}, or sheet.field of a sheet that a ref field references"
                )
                continue
            entries.append((found[1], name))
        elif name in sheet.names:
            entries.append((sheet.field(name), name))
        else:
            problems.append(
                f"{path}: dataset.order: {name!r}: not a field of sheet {sheet.name}: "
                f"one of {', '.join(sheet.names)}"
            )
    entries += [(f, f.name) for f in sheet.fields if f.name not in order and f.in_dataset]
    columns: list[Column] = []
    for fld, source in entries:
        columns += field_columns(fld, source, vocabulary, path, problems)
    columns = place_derived(columns, vocabulary, problems)
    for spec in dataset.get("added") or []:
        columns.append(added_column(spec, path, problems))
    seen: set[str] = set()
    for column in columns:
        if column.name in seen:
            problems.append(
                f"{path}: dataset: column {column.name} is made twice: unique column names "
                "(set dataset.name or dataset.prefix of one field)"
            )
        seen.add(column.name)
    return tuple(columns)


def codebook_names(codebook: Codebook) -> list[str]:
    return [s.name for s in codebook.sheets]


def field_columns(
    fld: Field, source: str, vocabulary: Vocabulary, path: str, problems: list[str]
) -> list[Column]:
    """The dataset columns of one field, made by its type (names and texts from `dataset:`)."""
    return fld.kind.columns(ColumnMaker(fld, source, vocabulary, path, problems))


def place_derived(
    columns: list[Column], vocabulary: Vocabulary, problems: list[str]
) -> list[Column]:
    """Insert each derived flag after the last column of the field its sources come from."""
    for derived in vocabulary.derived.values():
        by_name = {c.name: c for c in columns}
        unknown = [
            s for s in derived.any_of if by_name.get(s, Column("", "", "")).type != "boolean"
        ]
        if unknown or not derived.any_of:
            problems.append(
                f"{vocabulary.path}: derived.{derived.column}: {', '.join(unknown) or 'any_of'}: "
                "not flag columns of the dataset: boolean columns made from the workbook fields"
            )
            continue
        last = by_name[derived.any_of[-1]]
        position = max(i for i, c in enumerate(columns) if c.field == last.field) + 1
        columns.insert(
            position,
            Column(
                name=derived.column,
                type="boolean",
                description=derived.description or "true if any of " + ", ".join(derived.any_of),
                source=last.source,
                label=readable(derived.column),
                field=last.field,
                part="derived",
            ),
        )
    return columns


def added_column(spec: dict, path: str, problems: list[str]) -> Column:
    """A column the dataset stage computes (`value`: workbook_row or possible_duplicates)."""
    name = spec.get("name", "?")
    if spec.get("value") not in ADDED_VALUES:
        problems.append(
            f"{path}: dataset.added.{name}: value {spec.get('value')!r}: one of "
            + ", ".join(sorted(ADDED_VALUES))
        )
    if spec.get("type") not in COLUMN_TYPES:
        problems.append(
            f"{path}: dataset.added.{name}: type {spec.get('type')!r}: unknown type: "
            f"one of {', '.join(sorted(COLUMN_TYPES))}"
        )
    return Column(
        name=name,
        type=spec.get("type", "string"),
        description=" ".join(str(spec.get("description", "")).split()),
        source=str(spec.get("from", "")),
        label=str(spec.get("label", readable(name))),
        field=None,
        part=f"added:{spec.get('value')}",
    )


def table_schema(codebook: Codebook) -> dict[str, Any]:
    """The Frictionless table schema of results/dataset/cases.csv."""
    fields = []
    for column in codebook.columns:
        description = column.description
        if column.unit:
            description += f" Unit: {column.unit}."
        spec: dict[str, Any] = {"name": column.name, "type": column.type}
        spec["description"] = description
        if column.type == "boolean":
            spec["trueValues"] = ["true"]
            spec["falseValues"] = ["false"]
        constraints: dict[str, Any] = {}
        if column.enum:
            constraints["enum"] = list(column.enum)
        if column.name == codebook.primary_key:
            constraints["required"] = True
            constraints["unique"] = True
        if constraints:
            spec["constraints"] = constraints
        fields.append(spec)
    return {"fields": fields, "missingValues": [""], "primaryKey": [codebook.primary_key]}
