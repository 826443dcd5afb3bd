"""A review's published figures and how to recompute them (`config/reported_results.yaml`),
loaded and checked.

Each item gives what the article printed (`section`, `wording` and the numbers as printed:
`n`, `denominator`, `percent`, `value`, `low`, `high`; `unit`, `comment`), how the dataset
gives it (`description`, `compute`; or `not_derivable`) and its alternative readings
(`readings`); see workflow/schemas/reported_results.schema.yaml and
`reviewflow.statistics.recompute`.

The file is written by hand, so it is validated on load against its schema and for its
references (the review's named conditions and parameters, config/definitions.yaml; readings,
`{names}` in texts, the summary a printed detail belongs to); every problem is reported at
once, located by item and key.
Printed decimals keep their precision (`98.0` has one decimal), so that a recomputed figure is
compared at the printed precision.
"""

from __future__ import annotations

import difflib
import os
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd

from reviewflow.core.conditions import columns_used, condition_problems, parameter, parameter_name
from reviewflow.core.content_keys import checked_once, schema_key
from reviewflow.core.definitions import Definitions
from reviewflow.core.errors import raise_if_any
from reviewflow.core.yamlfile import plain, read_yaml
from reviewflow.statistics import recompute
from reviewflow.statistics.measures import Settings

COUNT_FIELDS = ("n", "denominator")
NUMBER_FIELDS = ("percent", "value", "low", "high")
PRINTED_FIELDS = COUNT_FIELDS + NUMBER_FIELDS
TEMPLATE_NAMES = ("cases", "month", "days_per_month")  # filled from the data or a conversion
PERCENT_NAMES = ("n_cases", "share", "denominator")  # a percent_over_all reading's label


@dataclass(frozen=True)
class Reported:
    """One published figure; numbers are Decimals that keep their printed precision."""

    key: str
    section: str
    wording: str
    n: int | None = None
    denominator: int | None = None
    percent: Decimal | None = None
    value: Decimal | None = None
    low: Decimal | None = None
    high: Decimal | None = None
    unit: str = ""
    comment: str = ""

    def fields(self) -> dict[str, int | Decimal]:
        """The numbers this figure printed, by field name."""
        names = COUNT_FIELDS + NUMBER_FIELDS
        return {name: getattr(self, name) for name in names if getattr(self, name) is not None}

    def text(self) -> str:
        """The figure in the summary's style: `38/53 (71.7%)`, `48.29`, `0.50–6.00`."""
        return figure_text(self.fields())


def figure_text(fields: dict) -> str:
    n, den, pct = fields.get("n"), fields.get("denominator"), fields.get("percent")
    parts = []
    if n is not None and den is not None:
        parts.append(f"{n}/{den}")
    elif n is not None:
        parts.append(str(n))
    if pct is not None:
        parts.append(f"({pct}%)" if parts else f"{pct}%")
    if fields.get("value") is not None:
        parts.append(str(fields["value"]))
    if fields.get("low") is not None or fields.get("high") is not None:
        parts.append(f"{fields.get('low', '')}–{fields.get('high', '')}")
    return " ".join(parts)


@dataclass(frozen=True)
class Declared:
    """A review's reported-results file: the review's parameters and named conditions (its
    definitions), the file's readings, every item as declared (in the file's order) and the
    printed figures (`reported`, by item key)."""

    source: str
    publication: str = ""
    parameters: dict = field(default_factory=dict)
    conditions: dict = field(default_factory=dict)
    readings: dict = field(default_factory=dict)
    every_item_readings: list = field(default_factory=list)
    items: dict = field(default_factory=dict)
    reported: dict = field(default_factory=dict)
    names_checked: bool = True  # the definitions' names were known when the file was checked

    def raw_columns(self) -> list[str]:
        """The raw-table columns that text-match readings read."""
        specs = list(self.readings.values()) + list(self.every_item_readings)
        for entry in self.items.values():
            specs += [spec for spec in entry.get("readings", []) if isinstance(spec, dict)]
        found = []
        for spec in specs:
            if "text_match" in spec:
                found.append(str(parameter(spec["text_match"]["column"], self.parameters)))
        return list(dict.fromkeys(found))


def read_declared(
    path: str | os.PathLike,
    schema: str | os.PathLike,
    definitions: Definitions | None = None,
    checked: str | os.PathLike | None = None,
) -> Declared:
    """The reported-results file at `path`, checked against `schema` and for its references to
    the review's `definitions`; raises `InputProblems` listing every problem, each located by
    item and key. With `checked` (a cache folder), the schema check is not done again while the
    file and the schema are those last found to fit (`reviewflow.core.content_keys`)."""
    data = read_yaml(path, decimals=True)
    return parse_declared(data, str(path), read_yaml(schema), definitions, checked)


def parse_declared(
    data,
    source: str,
    schema: dict,
    definitions: Definitions | None = None,
    checked: str | os.PathLike | None = None,
) -> Declared:
    """The file's data checked: schema problems, then the references and printed numbers of the
    items that fit the schema (when the shared sections do), all reported at once. Without
    `definitions` (the printed figures only), names of the definitions are not checked; see
    `read_declared` for `checked`."""
    moved = [key for key in ("parameters", "conditions") if isinstance(data, dict) and key in data]
    raise_if_any(
        source,
        [
            f"{source}: {key}: the review's {key} are defined once, in its definitions file "
            f"(config/definitions.yaml, {key}:): move them there and refer to them by name"
            for key in moved
        ],
    )
    errors = checked_once(
        "reported_results", schema_key(data, schema), checked, lambda: schema_errors(data, schema)
    )
    problems = [problem for _, problem in errors]
    bad_items = {path[1] for path, _ in errors if len(path) > 1 and path[0] == "items"}
    if any(not path or path[0] != "items" or len(path) == 1 for path, _ in errors):
        raise_if_any(source, problems)
    items = {key: entry for key, entry in data["items"].items() if key not in bad_items}
    declared = Declared(
        source=source,
        publication=data.get("source", ""),
        parameters=dict(definitions.parameters) if definitions else {},
        conditions=dict(definitions.named) if definitions else {},
        names_checked=definitions is not None,
        readings=plain(data.get("readings", {})),
        every_item_readings=plain(data.get("every_item_readings", [])),
        items={key: computed_part(entry) for key, entry in items.items()},
    )
    problems += reference_problems(declared)
    reported = {}
    for key, entry in items.items():
        if "wording" not in entry:
            if any(name in entry for name in PRINTED_FIELDS):
                problems.append(f"item {key!r}: printed numbers without a wording: quote it")
            continue
        figure, found = parse_item(str(key), entry)
        problems += found
        if figure is not None:
            reported[key] = figure
    raise_if_any(source, problems)
    return Declared(**{**declared.__dict__, "reported": reported})


def computed_part(entry: dict) -> dict:
    part = {key: plain(value) for key, value in entry.items() if key not in PRINTED_FIELDS}
    part["section"] = str(entry["section"])
    return part


def where_in(path) -> str:
    """`item 'age': compute.where.any[1]` from a JSON path."""
    parts = list(path)
    head = ""
    if len(parts) >= 2 and parts[0] == "items":
        head, parts = f"item {parts[1]!r}", parts[2:]
    elif len(parts) >= 2 and parts[0] in ("conditions", "readings", "parameters"):
        head, parts = f"{parts[0][:-1]} {parts[1]!r}", parts[2:]
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    text = text.lstrip(".")
    return ": ".join(piece for piece in (head, text) if piece) or "the file"


def schema_errors(data, schema: dict) -> list[tuple[tuple, str]]:
    """(path, located message) of every place the file breaks its schema; for a condition or
    reading that fits none of its forms, the closest form is explained."""
    if not isinstance(data, dict):
        return [((), "the file must be a mapping with an 'items' mapping: item -> figure")]
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(schema)
    errors = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        message = re.sub(r"Decimal\('([^']*)'\)", r"\1", best_message(error))
        errors.append((tuple(error.path), f"{where_in(error.path)}: {message}"))
    return errors


def best_message(error) -> str:
    """The most specific message of a schema error (a `oneOf` names the closest form)."""
    if error.validator == "oneOf" and error.context:
        deepest = max(error.context, key=lambda e: (len(e.path), e.validator != "required"))
        if deepest.path:
            return f"{'.'.join(map(str, deepest.path))}: {deepest.message}"
        if isinstance(error.instance, dict):
            keys = ", ".join(map(str, error.instance))
            return f"{{{keys}}}: not one of the forms allowed here"
    return error.message


def template_problems(where: str, text: str, allowed: set[str] | None) -> list[str]:
    """Placeholders of a text that are not allowed (`allowed` None: the syntax only)."""
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
    except ValueError as error:
        return [f"{where}: {text!r}: {error} (write {{{{ and }}}} for braces)"]
    return [
        f"{where}: {{{name}}} is not a parameter; known: {', '.join(sorted(allowed))}"
        for name in names
        if allowed is not None and name not in allowed
    ]


def reference_problems(declared: Declared) -> list[str]:
    """Unknown named conditions, readings or parameters; statistics missing what they need;
    printed details without their summary; unknown names in texts."""
    problems: list[str] = []
    parameters = set(declared.parameters) if declared.names_checked else None
    texts = parameters | set(TEMPLATE_NAMES) if declared.names_checked else None
    named = declared.conditions if declared.names_checked else None

    def check_condition(where: str, condition: dict) -> None:
        problems.extend(condition_problems(where, condition, None, named, parameters))

    def check_reading(where: str, spec) -> None:
        if isinstance(spec, str):
            if spec not in declared.readings:
                problems.append(f"{where}: reading {spec!r} is not declared under readings")
            return
        for name in spec.get("combine", []):
            if name not in declared.readings:
                problems.append(f"{where}.combine: reading {name!r} is not declared")
        for key in ("leave_out", "cases", "where", "among", "per"):
            if key in spec:
                check_condition(f"{where}.{key}", spec[key])
        allowed = texts | set(PERCENT_NAMES) if spec.get("percent_over_all") and texts else texts
        if "label" in spec:
            problems.extend(template_problems(f"{where}.label", spec["label"], allowed))
        for key, value in {**spec.get("convert", {}), **spec.get("text_match", {})}.items():
            problems.extend(value_problems(f"{where}: {key}", value, parameters))

    for name, spec in declared.readings.items():
        check_reading(f"reading {name!r}", spec)
    for index, spec in enumerate(declared.every_item_readings):
        check_reading(f"every_item_readings[{index}]", spec)
    details: set[str] = set()
    for key, entry in declared.items.items():
        where = f"item {key!r}"
        if not entry["section"].strip():
            problems.append(
                f"{where}: section is empty: the article's section as printed, a number "
                '("4.1") or a heading ("Results")'
            )
        for field_name in ("description", "hint", "not_derivable"):
            if field_name in entry:
                problems.extend(
                    template_problems(f"{where}: {field_name}", entry[field_name], texts)
                )
        compute = entry.get("compute")
        if compute is None:
            if "not_derivable" not in entry and key not in details:
                close = difflib.get_close_matches(key, sorted(details), n=1)
                hint = f"did you mean {close[0]}?" if close else "no summary gives it"
                problems.append(
                    f"{where}: no compute: give one, or not_derivable, or declare above it the "
                    f"summary whose detail it is (statistic: summary); {hint}"
                )
            continue
        problems += compute_problems(where, compute, parameters)
        for name in ("where", "among", "per"):
            if name in compute:
                check_condition(f"{where}: compute.{name}", compute[name])
        if compute["statistic"] == "summary":
            details |= {f"{key}_{name}" for name in compute.get("details", recompute.DETAILS)}
            if "description" not in entry:
                problems.append(f"{where}: a summary needs a description (the variable's label)")
        for index, spec in enumerate(entry.get("readings", [])):
            check_reading(f"{where}: readings[{index}]", spec)
        remark = entry.get("remark")
        if isinstance(remark, dict):
            check_condition(f"{where}: remark.when_no_case", remark["when_no_case"])
    return problems


def value_problems(where: str, value, parameters: set[str] | None) -> list[str]:
    """A value that names a parameter: `{name}` must be one (when `parameters` is given);
    `$name` is the old spelling."""
    if isinstance(value, str) and value.startswith("$"):
        return [f"{where}: {value!r}: the old spelling of a parameter: write '{{{value[1:]}}}'"]
    name = parameter_name(value)
    if name is not None and parameters is not None and name not in parameters:
        return [f"{where}: {value}: not a parameter; known: {', '.join(sorted(parameters))}"]
    return []


def compute_problems(where: str, compute: dict, parameters: set[str]) -> list[str]:
    statistic = compute["statistic"]
    problems = []
    if statistic in recompute.CONTINUOUS and "column" not in compute:
        problems.append(f"{where}: compute: statistic {statistic} needs a column (a number)")
    if statistic == "ratio" and not ("where" in compute and "per" in compute):
        problems.append(f"{where}: compute: statistic ratio needs where and per")
    convert = compute.get("convert")
    if convert is not None:
        for key in ("from", "to"):
            if key not in convert:
                problems.append(f"{where}: compute.convert: needs {key} (days, weeks, months)")
        value = convert.get("days_per_month")
        problems += value_problems(f"{where}: compute.convert.days_per_month", value, parameters)
        if isinstance(value, str) and parameter_name(value) is None and not problems:
            problems.append(
                f"{where}: compute.convert.days_per_month {value!r}: a number or a '{{parameter}}'"
            )
    return problems


def check_columns(declared: Declared, columns, source: str, numbers=None) -> None:
    """Every column the file reads exists in the dataset (`columns`) and, when `numbers` (the
    number columns) is given, a statistic over a column (summary, mean, ...) reads a number
    column; raises `InputProblems`."""
    known = set(columns)
    problems = []
    for key, entry in declared.items.items():
        compute = entry.get("compute", {})
        column, statistic = compute.get("column"), compute.get("statistic")
        if numbers is None or column not in known or statistic not in recompute.CONTINUOUS:
            continue
        if column not in numbers:
            problems.append(
                f"item {key!r}: compute: statistic {statistic} over column {column!r}, which is "
                f"not a number column; the number columns: {', '.join(sorted(numbers))}"
            )

    def check(where: str, condition) -> None:
        for column in columns_used(condition, declared.conditions):
            if column not in known:
                problems.append(f"{where}: column {column!r} is not a column of the dataset")

    for name, condition in declared.conditions.items():
        check(f"condition {name!r}", condition)
    for key, entry in declared.items.items():
        compute = entry.get("compute", {})
        if "column" in compute and compute["column"] not in known:
            problems.append(
                f"item {key!r}: compute.column {compute['column']!r} is not a column of the dataset"
            )
        for name in ("where", "among", "per"):
            if name in compute:
                check(f"item {key!r}: compute.{name}", {"all": [compute[name]]})
    specs = [(f"reading {name!r}", spec) for name, spec in declared.readings.items()]
    for key, entry in declared.items.items():
        specs += [
            (f"item {key!r}: readings[{i}]", spec)
            for i, spec in enumerate(entry.get("readings", []))
            if isinstance(spec, dict)
        ]
    for where, spec in specs:
        for name in ("leave_out", "cases", "where", "among", "per"):
            if name in spec:
                check(f"{where}.{name}", spec[name])
        for flag in spec.get("text_match", {}).get("words", {}):
            if flag not in known:
                problems.append(
                    f"{where}.text_match: column {flag!r} is not a column of the dataset"
                )
    raise_if_any(source, sorted(set(problems), key=problems.index))


def show(value) -> str:
    """A value as the reviewer typed it: 98.0 for a Decimal, quotes around text."""
    return str(value) if isinstance(value, Decimal) else repr(value)


def parse_item(key: str, entry: dict) -> tuple[Reported | None, list[str]]:
    """The printed figure of one item (shape checked by the schema), or None and its problems."""
    where = f"item {key!r}"
    values = {name: entry[name] for name in PRINTED_FIELDS if name in entry}
    problems = []
    for name in NUMBER_FIELDS:
        if name in values:
            values[name] = Decimal(values[name])
            if not values[name].is_finite():
                problems.append(f"{where}: {name} {entry[name]}: must be a finite number")
    if not values:
        problems.append(f"{where}: no number: give at least one of {', '.join(PRINTED_FIELDS)}")
    if not entry["wording"].strip():
        problems.append(f"{where}: wording is empty: quote the article's sentence")
    n, den = values.get("n"), values.get("denominator")
    if n is not None and den is not None and n > den:
        problems.append(f"{where}: n {n} is larger than its denominator {den}")
    if "low" in values and "high" in values and values["low"] > values["high"]:
        problems.append(f"{where}: low {entry['low']} is above high {entry['high']}")
    if problems:
        return None, problems
    figure = Reported(
        key=key,
        section=str(entry["section"]),
        wording=entry["wording"].strip(),
        unit=entry.get("unit", ""),
        comment=entry.get("comment", ""),
        **values,
    )
    return figure, []


def load_declared(
    path: str | os.PathLike,
    schema: str | os.PathLike,
    definitions: Definitions,
    cases: pd.DataFrame,
    checked: str | os.PathLike | None = None,
) -> Declared:
    """The reported-results file at `path`, checked against its `schema` and the review's
    `definitions`, and the columns it reads against the dataset `cases` (typed by the codebook);
    `checked` as for `read_declared`."""
    declared = read_declared(path, schema, definitions, checked)
    numbers = {
        name
        for name, dtype in cases.dtypes.items()
        if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    }
    check_columns(declared, cases.columns, str(path), numbers)
    return declared


def summary_settings(params: Mapping[str, Any]) -> Settings:
    """The statistical settings of the summary (`quantile_method`, `normality_alpha`,
    `outlier_iqr_factor`: config.yaml's `statistics`, as the rule's params)."""
    return Settings(
        quantile_method=params["quantile_method"],
        normality_alpha=params["normality_alpha"],
        outlier_iqr_factor=params["outlier_iqr_factor"],
    )
