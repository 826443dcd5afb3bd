"""The `outcomes` section of the analysis file, read and checked.

The schema (workflow/schemas/analysis.schema.yaml, `$defs/outcome`) checks the shape;
`outcome_problems` checks what a schema cannot: every column exists and has the right type, every
declared event value or group level is a value the column's codebook allows, a time unit agrees
with the codebook's unit, each kind has its keys. Each problem is located as
`file: outcomes.<name>.<key>: the value: what is allowed`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from reviewflow.core.conditions import columns_used
from reviewflow.core.definitions import Definitions
from reviewflow.core.errors import raise_if_any
from reviewflow.core.yamlfile import read_yaml
from reviewflow.statistics.analysis_file import Analysis, Checker, load_analysis

# Days per unit: a month is a twelfth of a mean Gregorian year (365.25 / 12 = 30.44 days).
DAYS_PER_UNIT = {"days": 1.0, "weeks": 7.0, "months": 365.25 / 12, "years": 365.25}
KEYS = {
    "survival": {"time", "event"},
    "compare": {"outcome", "group"},
    "firth": {"outcome", "predictors"},
}
OPTIONAL = {"survival": {"group"}, "compare": set(), "firth": {"models"}}


@dataclass(frozen=True)
class GroupSpec:
    """The groups compared: a column's values (`levels` keeps and orders some) or conditions."""

    column: str | None = None
    levels: tuple = ()
    conditions: dict = field(default_factory=dict)
    label: str = ""


@dataclass(frozen=True)
class Outcome:
    """One declared outcome analysis."""

    name: str
    kind: str
    title: str
    time_column: str | None = None
    unit: str | None = None
    show_in: str | None = None
    event_column: str | None = None
    event_values: tuple = ()
    outcome_column: str | None = None
    outcome_values: tuple = ()
    group: GroupSpec | None = None
    predictors: tuple[str, ...] = ()
    models: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def time_factor(self) -> float:
        """What a time in `unit` is multiplied by to be shown in `show_in`."""
        if not self.unit or not self.show_in:
            return 1.0
        return DAYS_PER_UNIT[self.unit] / DAYS_PER_UNIT[self.show_in]


def load_outcomes(
    path: str | os.PathLike,
    columns: Sequence,
    schema_path: str | os.PathLike,
    codebook: str = "",
    statistics: Mapping | None = None,
    definitions: Definitions | None = None,
) -> tuple[Analysis, tuple[Outcome, ...]]:
    """The analysis file at `path` (checked whole by `load_analysis`, with config.yaml's
    `statistics`) and the outcome analyses it declares, checked against the dataset's `columns`
    (`Codebook.columns`; `codebook` its path, named in messages). Raises `InputProblems` listing
    every problem."""
    analysis = load_analysis(path, columns, schema_path, statistics, definitions)
    return analysis, declared_outcomes(path, columns, codebook, definitions)


def declared_outcomes(
    path: str | os.PathLike,
    columns: Sequence,
    codebook: str = "",
    definitions: Definitions | None = None,
) -> tuple[Outcome, ...]:
    """The outcome analyses the analysis file at `path` declares, checked against the dataset's
    `columns` (the rest of the file: `load_analysis`). Raises `InputProblems` listing every
    problem."""
    source = str(path)
    data = read_yaml(path)
    raise_if_any(source, outcome_problems(data, columns, source, codebook, definitions))
    outcomes = (data.get("outcomes") or {}).items()
    return tuple(build(name, spec) for name, spec in outcomes)


def build(name: str, spec: Mapping) -> Outcome:
    """One checked declaration as an `Outcome`."""
    time, event, outcome = spec.get("time", {}), spec.get("event", {}), spec.get("outcome", {})
    group = spec.get("group")
    return Outcome(
        name=name,
        kind=spec["kind"],
        title=spec.get("title", name.replace("_", " ").capitalize()),
        time_column=time.get("column"),
        unit=time.get("unit"),
        show_in=time.get("show_in", time.get("unit")),
        event_column=event.get("column"),
        event_values=tuple(event.get("values", ())),
        outcome_column=outcome.get("column"),
        outcome_values=tuple(outcome.get("values", ())),
        group=GroupSpec(
            column=group.get("column"),
            levels=tuple(group.get("levels", ())),
            conditions=dict(group.get("conditions") or {}),
            label=group.get("label", group.get("column") or ""),
        )
        if group
        else None,
        predictors=tuple(spec.get("predictors", ())),
        models={model: tuple(terms) for model, terms in (spec.get("models") or {}).items()},
    )


def outcome_problems(
    data: Mapping,
    columns: Sequence,
    source: str,
    codebook: str = "",
    definitions: Definitions | None = None,
) -> list[str]:
    """Every problem of the `outcomes` section the schema cannot see, located by key
    (`codebook`: the codebook's path, named where a value is not one it allows)."""
    checker = Checker(dict(data), columns, source, definitions)
    checker.codebook_path = codebook
    units = {c.name: c.unit for c in columns}
    for name, spec in (data.get("outcomes") or {}).items():
        check_outcome(checker, units, f"outcomes.{name}", spec)
    return checker.found


def check_outcome(checker: Checker, units: dict, key: str, spec: Mapping) -> None:
    kind = spec["kind"]
    for needed in sorted(KEYS[kind] - set(spec)):
        checker.say(key, f"a {kind} analysis needs `{needed}`")
    for extra in sorted(set(spec) - KEYS[kind] - OPTIONAL[kind] - {"kind", "title"}):
        checker.say(f"{key}.{extra}", f"not a key of a {kind} analysis")
    if "time" in spec:
        time = spec["time"]
        checker.column(f"{key}.time.column", time["column"], "number")
        declared = units.get(time["column"])
        if declared and declared != time["unit"]:
            checker.say(
                f"{key}.time.unit",
                f"{time['unit']!r}: the codebook gives {time['column']} in {declared}",
            )
    if "event" in spec:
        check_values(checker, f"{key}.event", spec["event"], required=True)
    if "outcome" in spec:
        outcome = spec["outcome"]
        if kind == "compare":
            checker.column(f"{key}.outcome.column", outcome["column"], "any")
            if "values" in outcome:
                check_values(checker, f"{key}.outcome", outcome, required=True)
        else:
            check_values(checker, f"{key}.outcome", outcome, required=False)
    if "group" in spec:
        check_group(checker, f"{key}.group", spec["group"])
    for i, predictor in enumerate(spec.get("predictors", [])):
        checker.column(f"{key}.predictors[{i}]", predictor, "predictor")
    for model, terms in (spec.get("models") or {}).items():
        for i, predictor in enumerate(terms):
            checker.column(f"{key}.models.{model}[{i}]", predictor, "predictor")


def kind_of(checker: Checker, name: str) -> str | None:
    """The column's kind (boolean, category, number, ...) or None when it does not exist."""
    if name in checker.named:
        return "boolean"
    return checker.columns.get(name)


def check_values(checker: Checker, key: str, spec: Mapping, required: bool) -> None:
    """An event's column is a flag or a category, and each declared value one it allows."""
    name = spec["column"]
    checker.column(f"{key}.column", name, "grid")
    kind = kind_of(checker, name)
    values = spec.get("values")
    if kind is None or kind not in ("boolean", "category"):
        return
    if values is None:
        if required or kind != "boolean":
            checker.say(key, f"{name} is a {kind} column: give `values` (the event)")
        return
    allowed = [True, False] if kind == "boolean" else checker.enums.get(name, [])
    for i, value in enumerate(values):
        if value not in allowed or (kind == "category" and not isinstance(value, str)):
            shown = ", ".join(str(a).lower() if isinstance(a, bool) else a for a in allowed)
            checker.say(
                f"{key}.values[{i}]",
                f"{value!r}: not a value of {name} in {checker_source(checker)}: one of {shown}",
            )


def checker_source(checker: Checker) -> str:
    return getattr(checker, "codebook_path", "") or "the codebook"


def check_group(checker: Checker, key: str, group: Mapping) -> None:
    if "column" in group:
        name = group["column"]
        checker.column(f"{key}.column", name, "grid")
        kind = kind_of(checker, name)
        allowed = [True, False] if kind == "boolean" else checker.enums.get(name)
        for i, level in enumerate(group.get("levels", [])):
            if allowed is not None and level not in allowed:
                checker.say(f"{key}.levels[{i}]", f"{level!r}: not a value of {name}")
    if "levels" in group and "conditions" in group:
        checker.say(f"{key}.levels", "levels are a column's values: conditions name their groups")
    for label, condition in (group.get("conditions") or {}).items():
        for column in columns_used(condition, {}):
            checker.column(f"{key}.conditions.{label}", column, "any")
