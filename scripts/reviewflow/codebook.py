"""The extraction codebook (extraction/codebook.yaml): every workbook field and dataset column.

The codebook is the single definition from which the blank workbook template, the workbook
validation, the data dictionary (codebook.md) and the Frictionless table schema are made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reviewflow.errors import raise_if_any
from reviewflow.values import ValueProblem, parse_bound, parse_duration, parse_levels, parse_number
from reviewflow.yamlfile import read_yaml

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
    "plausible_weeks",
    "unit",
    "units",
    "codes",
    "percent_sign",
    "vocabulary",
    "width",
    "wrap",
    "blank_means",
    "increased_above",
}


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
    plausible_weeks: tuple[float, float] | None = None
    unit: str | None = None
    units: dict[str, str] = field(default_factory=dict)
    codes: dict[str, str] = field(default_factory=dict)
    percent_sign: str | None = None
    vocabulary: str | None = None
    width: float = 14
    wrap: bool = False
    blank_means: str | None = None
    increased_above: float | None = None

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
            return str(problem)
        if self.range is not None:
            low, high = self.range
            if any(v is not None and not low <= v <= high for v in values):
                return "is outside the possible range"
        return None

    def parse(self, text: str) -> list[float | None]:
        """The numbers in a valid non-word value (empty for non-numeric types)."""
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
            return [parse_duration(text, self.unit_days())]
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

    def unit_days(self) -> dict[str, float]:
        return {code: UNIT_DAYS[UNIT_NAMES[name]] for code, name in self.units.items()}


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
    """One column of the harmonised dataset."""

    name: str
    type: str
    description: str
    source: str = ""
    unit: str | None = None
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Codebook:
    path: str
    sheets: tuple[Sheet, ...]
    other_sheets: tuple[str, ...]
    readings: tuple[dict, ...]
    quality_checks: dict[str, Any]
    columns: tuple[Column, ...]
    primary_key: str

    def sheet(self, name: str) -> Sheet:
        return next(s for s in self.sheets if s.name == name)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def load_codebook(path: str | Path) -> Codebook:
    """Read and check the codebook; every problem in it is reported at once."""
    path = str(path)
    data = read_yaml(path) or {}
    problems: list[str] = []
    sheets = tuple(_sheet(s, path, problems) for s in data.get("workbook", {}).get("sheets", []))
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
    dataset = data.get("dataset", {})
    columns = tuple(_column(c, path, problems) for c in dataset.get("columns", []))
    seen: set[str] = set()
    for column in columns:
        if column.name in seen:
            problems.append(f"{path}: dataset.{column.name}: defined twice: unique column names")
        seen.add(column.name)
    raise_if_any(path, problems)
    return Codebook(
        path=path,
        sheets=sheets,
        other_sheets=tuple(data.get("workbook", {}).get("other_sheets", [])),
        readings=tuple(data.get("readings", [])),
        quality_checks=dict(data.get("quality_checks", {})),
        columns=columns,
        primary_key=dataset.get("primary_key", "case_id"),
    )


def _sheet(data: dict, path: str, problems: list[str]) -> Sheet:
    name = data.get("name", "?")
    fields = tuple(_field(f, f"{path}: {name}", problems) for f in data.get("fields", []))
    names = [f.name for f in fields]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.append(f"{path}: {name}.{dup}: field defined twice: unique field names")
    return Sheet(name=name, fields=fields, help=data.get("help", ""))


def _field(data: dict, where: str, problems: list[str]) -> Field:
    name = data.get("name", "?")
    unknown = sorted(set(data) - FIELD_KEYS)
    if unknown:
        problems.append(
            f"{where}.{name}: unknown key(s) {', '.join(unknown)}: "
            f"one of {', '.join(sorted(FIELD_KEYS))}"
        )
    kind = data.get("type")
    if kind not in FIELD_TYPES:
        problems.append(
            f"{where}.{name}: type {kind!r}: unknown type: one of {', '.join(sorted(FIELD_TYPES))}"
        )
        kind = "text"
    if kind in {"id", "ref"}:
        try:
            re.compile(data.get("pattern") or "")
        except re.error as error:
            problems.append(f"{where}.{name}: pattern: {error}: a Python regular expression")
        if not data.get("pattern"):
            problems.append(f"{where}.{name}: pattern: missing: an id needs a pattern")
    if kind == "choice" and not data.get("words"):
        problems.append(f"{where}.{name}: words: missing: a choice needs its allowed words")
    if kind == "duration":
        bad = [u for u in data.get("units", {}).values() if u not in UNIT_NAMES]
        if bad or not data.get("units"):
            problems.append(
                f"{where}.{name}: units: {bad or 'missing'}: letters mapped to "
                + ", ".join(UNIT_NAMES)
            )
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
        range=tuple(data["range"]) if data.get("range") else None,
        plausible=tuple(data["plausible"]) if data.get("plausible") else None,
        plausible_weeks=tuple(data["plausible_weeks"]) if data.get("plausible_weeks") else None,
        unit=data.get("unit"),
        units=dict(data.get("units", {})),
        codes=dict(data.get("codes", {})),
        percent_sign=data.get("percent_sign"),
        vocabulary=data.get("vocabulary"),
        width=float(data.get("width", 14)),
        wrap=bool(data.get("wrap", False)),
        blank_means=data.get("blank_means"),
        increased_above=data.get("increased_above"),
    )


def _column(data: dict, path: str, problems: list[str]) -> Column:
    name = data.get("name", "?")
    if data.get("type") not in COLUMN_TYPES:
        problems.append(
            f"{path}: dataset.{name}: type {data.get('type')!r}: unknown type: "
            f"one of {', '.join(sorted(COLUMN_TYPES))}"
        )
    enum = data.get("enum") or []
    if any(not isinstance(value, str) for value in enum):
        problems.append(
            f"{path}: dataset.{name}: enum {enum!r}: not all text (YAML reads yes/no/true/false "
            "unquoted as booleans): quoted values such as 'yes'"
        )
    return Column(
        name=name,
        type=data.get("type", "string"),
        description=" ".join(str(data.get("description", "")).split()),
        source=str(data.get("from", "")),
        unit=data.get("unit"),
        enum=tuple(data["enum"]) if data.get("enum") else None,
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
