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
from reviewflow.extraction.values import (
    EXACT,
    GREATER_THAN,
    LESS_THAN,
    RANGE,
    ValueProblem,
    parse_bound,
    parse_duration,
    parse_levels,
    parse_number,
)
from reviewflow.extraction.vocabulary import Vocabulary, read_vocabulary

FIELD_TYPES = {
    "id",
    "ref",
    "integer",
    "number",
    "choice",
    "duration",
    "bound",
    "levels",
    "text",
    "doi",
    "pmid",
}
COLUMN_TYPES = {"string", "integer", "number", "boolean"}
UNIT_DAYS = {"d": 1, "w": 7, "m": 30.4375, "y": 365.25}
UNIT_NAMES = {"days": "d", "weeks": "w", "months": "m", "years": "y"}
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMID_RE = re.compile(r"^[1-9]\d{0,8}$")
INTEGER_RE = re.compile(r"^\d+$")
NEGATIVE_RE = re.compile(r"^\s*[-\u2212]\s*(\d.*)$")  # "-3", "− 3" (a minus sign)
FIELD_KEYS = {
    "name",
    "label",
    "type",
    "help",
    "required",
    "words",
    "pattern",
    "example",
    "references",
    "range",
    "plausible",
    "unit",
    "units",
    "codes",
    "percent_sign",
    "vocabulary",
    "width",
    "wrap",
    "blank_means",
    "status",
    "dataset",
    "continues",
    "same_as",
}
# Keys of a field's `dataset:` mapping (how its dataset columns are named and described).
DATASET_KEYS = {"name", "label", "description", "unit", "prefix", "descriptions", "status"}
STATUS_KEYS = {"above", "above_means", "at_most_means"}
BOUND_PARTS = ("low", "high", "qualifier")
QUALIFIERS = (EXACT, RANGE, GREATER_THAN, LESS_THAN)
# Values an added dataset column can hold (computed by the dataset stage, not read from a cell).
ADDED_VALUES = {"workbook_row", "possible_duplicates"}


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

    def allowed(self) -> str:
        """What is allowed in a cell of this field, in words (the end of an error message)."""
        words = ", ".join(self.words)
        kind = {
            "id": f"a unique id like {self.example} (pattern {self.pattern})",
            "ref": f"an id like {self.example} listed in {self.references}",
            "integer": "a whole number",
            "number": "a number such as 37, 11.2 or 3,260",
            "choice": f"one of {words}",
            "duration": "a number followed by "
            + " or ".join(f"{u} ({name})" for u, name in self.units.items())
            + ", e.g. 2d or 48w",
            "bound": "a number (11.2), a range (120–130, 15-45) or a bound (>10)"
            + (", optionally with %" if self.percent_sign else ""),
            "levels": "codes "
            + ", ".join(f"{c} ({n})" for c, n in self.codes.items())
            + " separated by single spaces, each at most once",
            "text": "text as written in the report",
            "doi": "a DOI such as 10.3389/fnhum.2025.1541096 (no https://doi.org/)",
            "pmid": "a PubMed id (digits only)",
        }[self.type]
        if self.range and self.type in {"integer", "number", "bound"}:
            kind += f" from {_num(self.range[0])} to {_num(self.range[1])}"
        if self.words and self.type != "choice":
            kind += f", or {words}"
        if not self.required:
            kind += f"; blank: {self.blank_means or 'not reported'}"
        return kind

    def check(self, text: str) -> str | None:
        """What is wrong with `text` (the raw cell text) for this field, or None when valid.

        Only the cell itself is checked; uniqueness and references are the reader's business.
        """
        if text == "":
            return None if not self.required else "is empty"
        if text in self.words:
            return None
        if self.type == "choice":
            return "is not an allowed value"
        if self.type == "text":
            return None
        try:
            values = self.parse(text)
        except ValueProblem as problem:
            return self.negative_problem(text) or str(problem)
        if self.range is not None:
            low, high = self.range
            if any(v is not None and not low <= v <= high for v in values):
                return "is outside the possible range"
        return None

    def negative_problem(self, text: str) -> str | None:
        """`-3` where values are 0 or more: said so, not "is not a number"."""
        negative = NEGATIVE_RE.match(text)
        if not negative:
            return None
        try:
            self.parse(negative.group(1))
        except ValueProblem:
            return None
        low = self.range[0] if self.range is not None else 0
        return f"is negative, below the allowed minimum {low:g}"

    def parse(self, text: str) -> list[float | None]:
        """The numbers in a valid non-word value (empty for non-numeric types); a duration in
        its dataset unit."""
        if self.type in {"id", "ref"}:
            if not re.fullmatch(self.pattern, text):
                raise ValueProblem("does not match the id pattern")
            return []
        if self.type == "integer":
            if not INTEGER_RE.match(text):
                raise ValueProblem("is not a whole number")
            return [float(text)]
        if self.type == "number":
            return [parse_number(text)]
        if self.type == "duration":
            return [parse_duration(text, self.unit_days(), self.dataset_unit_days())]
        if self.type == "bound":
            bound = parse_bound(text, percent=bool(self.percent_sign))
            return [bound.low, bound.high]
        if self.type == "levels":
            parse_levels(text, list(self.codes))
            return []
        if self.type == "doi":
            if not DOI_RE.match(text):
                raise ValueProblem("is not a DOI")
            return []
        if self.type == "pmid":
            if not PMID_RE.match(text):
                raise ValueProblem("is not a PubMed id")
            return []
        return []

    def is_blank(self, text: str) -> bool:
        """Blank, or one of the field's words (ND...): no value to parse."""
        return text == "" or text in self.words

    def unit_days(self) -> dict[str, float]:
        return {code: UNIT_DAYS[UNIT_NAMES[name]] for code, name in self.units.items()}

    def dataset_unit_days(self) -> float:
        """Days per unit of a duration's dataset column (`dataset: {unit: weeks}`)."""
        return UNIT_DAYS[UNIT_NAMES.get(self.dataset.get("unit", "days"), "d")]

    @property
    def value_unit(self) -> str:
        """The unit of the field's values as the dataset holds them."""
        if self.type == "duration":
            return str(self.dataset.get("unit", "days"))
        return self.unit or ""


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


@dataclass(frozen=True)
class Column:
    """One column of the harmonised dataset.

    `source` is what it is made from as the data dictionary shows it (a field, `sheet.field`
    for a looked-up value, or `quality_checks`); `field` the workbook field (None for an added
    column); `part` which of the field's columns it is: `value`, `status`, `low`, `high`,
    `qualifier`, `codes`, `flag:<category>`, `level:<code>`, `derived` or `added:<what>`.
    """

    name: str
    type: str
    description: str
    source: str = ""
    unit: str | None = None
    enum: tuple[str, ...] | None = None
    label: str = ""
    field: str | None = None
    part: str = "value"


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
            if fld.type == "ref" and (fld.references or "").partition(".")[0] == sheet_name:
                other = self.sheet(sheet_name)
                if name in other.names:
                    return fld, other.field(name)
        return None


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def readable(name: str) -> str:
    """A readable label made from a column name: `age_years` -> "Age years"."""
    text = name.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def load_codebook(path: str | Path, vocabulary: str | Path | None = None) -> Codebook:
    """Read and check the codebook (and, when given, the vocabulary read with it, from which the
    dataset columns are derived); every problem in either file is reported at once."""
    path = str(path)
    data = read_yaml(path) or {}
    problems: list[str] = []
    if not isinstance(data, dict):
        raise_if_any(path, [f"{path}: not a mapping: keys workbook, readings, dataset, ..."])
    workbook = data.get("workbook") or {}
    sheets = tuple(_sheet(s, path, problems) for s in workbook.get("sheets", []))
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
    )
    if sheet_name in names:
        problems += cross_rule_problems(codebook)
    if sheets and sheet_name not in names:
        problems.append(f"{path}: dataset.sheet: {sheet_name!r}: no such sheet: one of {names}")
    elif vocabulary is not None and sheets:
        vocab = read_vocabulary(vocabulary, codebook.sheet(sheet_name), problems)
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
                own and fld.continues in sheet.names and sheet.field(fld.continues).type == "ref"
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


def _sheet(data: dict, path: str, problems: list[str]) -> Sheet:
    name = data.get("name", "?")
    fields = tuple(_field(f, f"{path}: {name}", problems) for f in data.get("fields", []))
    names = [f.name for f in fields]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{path}: {name}.{dup}: field defined twice: unique field names")
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


def _field(data: dict, where: str, problems: list[str]) -> Field:
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
    if kind in {"id", "ref"}:
        try:
            re.compile(data.get("pattern") or "")
        except re.error as error:
            problems.append(f"{where}: pattern: {error}: a Python regular expression")
        if not data.get("pattern"):
            problems.append(f"{where}: pattern: missing: an id needs a pattern")
    if kind == "choice" and not data.get("words"):
        problems.append(f"{where}: words: missing: a choice needs its allowed words")
    if kind == "duration":
        bad = [u for u in (data.get("units") or {}).values() if u not in UNIT_NAMES]
        if bad or not data.get("units"):
            problems.append(
                f"{where}: units: {bad or 'missing'}: letters mapped to " + ", ".join(UNIT_NAMES)
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
    if kind == "duration" and spec.get("unit") not in UNIT_NAMES:
        problems.append(
            f"{where}: dataset.unit: {spec.get('unit', 'missing')}: the unit of its dataset "
            f"column, one of {', '.join(UNIT_NAMES)}"
        )
    status = data.get("status")
    if status is not None:
        if kind != "number" or not isinstance(status, dict) or set(status) != STATUS_KEYS:
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
    """The dataset columns of one field, by its type (names and texts from `dataset:`)."""
    maker = ColumnMaker(fld, source, vocabulary, path, problems)
    if fld.type == "text" and vocabulary.group_for(fld.name) is not None:
        return maker.flags()
    if fld.type == "levels":
        return maker.levels()
    if fld.type == "bound":
        return maker.bound()
    if fld.type in {"number", "duration"}:
        return maker.number()
    return maker.single()


@dataclass(frozen=True)
class ColumnMaker:
    """Makes the dataset columns of one field; `dataset:` of the field overrides the defaults
    (`name`, `label`, `description`, `unit`, `prefix`, `descriptions` per part, `status`)."""

    fld: Field
    source: str
    vocabulary: Vocabulary
    path: str
    problems: list[str]

    @property
    def spec(self) -> dict[str, Any]:
        return self.fld.dataset

    @property
    def name(self) -> str:
        return str(self.spec.get("name", self.fld.name))

    @property
    def label(self) -> str:
        return str(self.spec.get("label", self.fld.label))

    def described(self, part: str, default: str) -> str:
        return (self.spec.get("descriptions") or {}).get(part, default)

    def column(self, name, kind, description, part="value", unit=None, enum=None, label=None):
        return Column(
            name=name,
            type=kind,
            description=" ".join(str(description).split()),
            source=self.source,
            unit=unit,
            enum=tuple(enum) if enum else None,
            label=str(label if label is not None else readable(name)),
            field=self.fld.name if "." not in self.source else self.source,
            part=part,
        )

    def flags(self) -> list[Column]:
        """A text read by a vocabulary phrase group: one flag per category of the group."""
        group = self.vocabulary.group_for(self.fld.name)
        return [
            self.column(
                group.fields[self.fld.name] + category,
                "boolean",
                self.described(category, f"{self.fld.label}: {category}"),
                part=f"flag:{category}",
                label=readable(category),
            )
            for category in group.categories
        ]

    def levels(self) -> list[Column]:
        """Level codes: one flag per code (`prefix` + its name), then the canonical codes."""
        prefix = str(self.spec.get("prefix", f"{self.fld.name}_"))
        flags = [
            self.column(
                prefix + code_name,
                "boolean",
                self.described(code, f"{readable(code_name)} ({code})"),
                part=f"level:{code}",
                label=readable(code_name),
            )
            for code, code_name in self.fld.codes.items()
        ]
        order = " ".join(self.fld.codes)
        default = f'Canonical codes in the order {order}, e.g. "{order}".'
        description = self.spec.get("description", default)
        return [*flags, self.column(self.name, "string", description, "codes", label=self.label)]

    def bound(self) -> list[Column]:
        """A printed bound: `<name>_low`, `<name>_high` and `<name>_qualifier`."""
        defaults = {
            "low": f"Low bound of the printed {self.fld.label}.",
            "high": 'High bound (empty for ">n").',
            "qualifier": "How the value was printed.",
        }
        unknown = sorted(set(self.spec.get("descriptions") or {}) - set(BOUND_PARTS))
        if unknown:
            self.problems.append(
                f"{self.path}: {self.fld.name}.dataset.descriptions: {', '.join(unknown)}: "
                f"one of {', '.join(BOUND_PARTS)}"
            )
        unit = self.spec.get("unit", self.fld.unit)
        return [
            self.column(
                f"{self.name}_{part}",
                "string" if part == "qualifier" else "number",
                self.described(part, defaults[part]),
                part=part,
                unit=None if part == "qualifier" else unit,
                enum=QUALIFIERS if part == "qualifier" else None,
                label=f"{self.label} ({part})",
            )
            for part in BOUND_PARTS
        ]

    def number(self) -> list[Column]:
        """A number or duration; with `status:`, a status column after it."""
        fld, coded = self.fld, self.vocabulary.coded.get(self.fld.name)
        description = self.spec.get("description", fld.label)
        unit = self.spec.get("unit", fld.unit)
        value = self.column(self.name, "number", description, unit=unit, label=self.label)
        if coded is not None and fld.status is None:
            self.problems.append(
                f"{self.path}: {fld.name}: coded in {self.vocabulary.path} but without "
                "`status:`: a number's words are read as a status column only with status: "
                "{above, above_means, at_most_means}"
            )
        if fld.status is None:
            return [value]
        spec = self.spec.get("status") or {}
        enum = list(coded.enum) if coded else []
        enum += [
            v for v in (fld.status["at_most_means"], fld.status["above_means"]) if v not in enum
        ]
        status = self.column(
            str(spec.get("name", f"{fld.name}_status")),
            "string",
            spec.get("description", f"{fld.label}: status"),
            part="status",
            enum=enum,
            label=spec.get("label", f"{fld.label} status"),
        )
        return [value, status]

    def single(self) -> list[Column]:
        """One column: an integer, or text (a choice through the vocabulary's coded values)."""
        kind = "integer" if self.fld.type == "integer" else "string"
        enum = None
        if self.fld.type == "choice":
            coded = self.vocabulary.coded.get(self.fld.name)
            enum = coded.enum if coded is not None else tuple(self.fld.words)
        description = self.spec.get("description", self.fld.label)
        unit = self.spec.get("unit")
        return [self.column(self.name, kind, description, unit=unit, enum=enum, label=self.label)]


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
