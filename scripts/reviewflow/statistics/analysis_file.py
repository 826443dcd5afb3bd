"""The review's analysis file (config/analysis.yaml): what the descriptive statistics, the
characteristics table, the figures and the sensitivity analyses show, declared per review.

`load_analysis` reads the file strictly (`reviewflow.core.yamlfile`), checks it against its JSON
schema
(workflow/schemas/analysis.schema.yaml) and against the dataset's columns (the codebook), and
reports every problem at once, each located as `file: key.path: what is wrong: what is allowed`.
The library holds no review's names: every column, label and threshold comes from the file.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from reviewflow.core.conditions import PLACEHOLDER, Context, flag_rows, reported, with_named
from reviewflow.core.content_keys import checked_once, schema_key
from reviewflow.core.definitions import Definitions
from reviewflow.core.errors import InputProblems, raise_if_any
from reviewflow.core.rule_inputs import figure_names, optional_inputs  # noqa: F401  (re-exported)
from reviewflow.core.yamlfile import read_yaml
from reviewflow.dataset.cases import read_cases
from reviewflow.dataset.definitions import load_definitions
from reviewflow.extraction.codebook import Codebook, load_codebook

EMPTY_ANALYSIS = (
    "the file is empty: it declares the review's analysis (settings, descriptive, "
    "characteristics, figures, sensitivity): restore it (git checkout -- the file) or start "
    "from the one `reviewflow new-review` writes"
)
MOVED_DERIVED = (
    "flags are defined once for the whole review, as named conditions of the definitions file "
    "(config/definitions.yaml, conditions:): move each there, e.g. `any_of: [a, b]` becomes "
    "`any: [{is_true: a}, {is_true: b}]`, and refer to it by name here"
)
TITLE_PARTS = ("true", "reported", "not_reported")  # {<column>.<part>} in a figure title


@dataclass(frozen=True)
class Settings:
    """How numbers are summarised and printed."""

    normality_rule: str = "shapiro_wilk"  # or mean_sd, median_iqr
    normality_alpha: float = 0.05
    quantile_method: str = "weibull"
    continuous_decimals: int = 2
    percent_decimals: int = 1
    not_reported_values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Row:
    """One row of the characteristics table: a count (n/N (%)) or a summary of a number."""

    label: str
    count: str | None = None
    value: str | None = None
    reported_if: str | None = None
    of: str | None = None
    summary: str | None = None
    multiply: float = 1.0
    divide: float = 1.0
    indent: bool = False


@dataclass(frozen=True)
class Group:
    name: str
    rows: tuple[Row, ...]


@dataclass(frozen=True)
class Sensitivity:
    """A sensitivity analysis: the tables again without some patients."""

    name: str
    label: str
    duplicates_column: str | None = None
    year_column: str = "year"
    exclude_judged: tuple[str, ...] = ()
    study_quality: str | None = None
    study_quality_optional: bool = False
    study_column: str = "study_id"


@dataclass(frozen=True)
class Analysis:
    path: str
    settings: Settings
    skip: tuple[str, ...] = ()
    definitions: Definitions = field(default_factory=Definitions)
    groups: tuple[Group, ...] = ()
    figures: dict[str, dict] = field(default_factory=dict)
    sensitivity: tuple[Sensitivity, ...] = ()


# ---------------------------------------------------------------------------------- loading


def load_analysis(
    path: str | os.PathLike,
    columns: Sequence,
    schema_path: str | os.PathLike,
    statistics: Mapping | None = None,
    definitions: Definitions | None = None,
    checked: str | os.PathLike | None = None,
) -> Analysis:
    """The analysis file at `path`, checked against the schema and the dataset's `columns`
    (`Codebook.columns`: name, type, enum) and the review's `definitions` (its named conditions
    are flags here), with config.yaml's `statistics` (normality alpha, quantile method). Raises
    `InputProblems` listing every problem. With `checked` (a cache folder), the schema check is
    not done again while the file and the schema are those last found to fit
    (`reviewflow.core.content_keys`)."""
    source = str(path)
    definitions = definitions or Definitions()
    data = read_yaml(path)
    if data is None:
        raise InputProblems(source, [f"{source}: {EMPTY_ANALYSIS}"])
    if isinstance(data, dict) and "derived" in data:
        raise InputProblems(source, [f"{source}: derived: {MOVED_DERIVED}"])
    schema = read_yaml(schema_path)
    problems = checked_once(
        "analysis", schema_key(data, schema), checked, lambda: schema_problems(data, schema, source)
    )
    if not problems:
        problems = Checker(data, columns, source, definitions).problems()
    raise_if_any(source, problems)
    return build(data, source, statistics, definitions)


def where(parts: Any) -> str:
    """`characteristics.groups[2].rows[0]` from a jsonschema path."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def schema_problems(data: Any, schema: dict, source: str) -> list[str]:
    """Every schema violation, located by key path, with what is allowed."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.path]):
        problems.append(f"{source}: {where(error.path)}: {schema_message(error)}")
    return problems


def schema_message(error) -> str:
    """A jsonschema `ValidationError` as one message, with what is allowed."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = sorted(error.schema.get("properties", {}))
        extra = sorted(set(error.instance) - set(allowed))
        return f"unknown key(s) {', '.join(map(str, extra))}: allowed keys {', '.join(allowed)}"
    if (
        error.validator == "oneOf"
        and isinstance(error.instance, dict)
        and "label" in (error.instance)
    ):
        return (
            "a row has either `count` (with optional value, of, reported_if) or `summary` "
            "(with optional multiply, divide), not both or neither"
        )
    if error.validator == "enum":
        allowed = ", ".join(map(str, error.validator_value))
        return f"{error.instance!r} is not allowed: one of {allowed}"
    if error.validator == "pattern":
        return f"{error.instance!r}: must match {error.validator_value}"
    return error.message


def build(
    data: dict,
    source: str,
    statistics: Mapping | None = None,
    definitions: Definitions | None = None,
) -> Analysis:
    """The checked file as dataclasses (figures stay the checked mappings); the normality alpha
    and the quantile method from `statistics` (config.yaml's section: their one owner)."""
    s, statistics = data["settings"], statistics or {}
    settings = Settings(
        normality_rule=s["normality_rule"],
        normality_alpha=float(statistics.get("normality_alpha", Settings.normality_alpha)),
        quantile_method=statistics.get("quantile_method", Settings.quantile_method),
        continuous_decimals=int(s["decimals"]["continuous"]),
        percent_decimals=int(s["decimals"]["percent"]),
        not_reported_values=tuple(s.get("not_reported_values", [])),
    )
    groups = tuple(
        Group(g["name"], tuple(Row(**row) for row in g["rows"]))
        for g in data["characteristics"]["groups"]
    )
    sensitivity = []
    for item in data.get("sensitivity", []) or []:
        duplicates = item.get("drop_possible_duplicates") or {}
        sensitivity.append(
            Sensitivity(
                name=item["name"],
                label=item["label"],
                duplicates_column=duplicates.get("column"),
                year_column=duplicates.get("year_column", "year"),
                exclude_judged=tuple(item.get("exclude_studies_judged", [])),
                study_quality=item.get("study_quality"),
                study_quality_optional=bool(item.get("study_quality_optional", False)),
                study_column=item.get("study_column", "study_id"),
            )
        )
    return Analysis(
        path=source,
        settings=settings,
        skip=tuple((data.get("descriptive") or {}).get("skip", [])),
        definitions=definitions or Definitions(),
        groups=groups,
        figures=dict(data["figures"]),
        sensitivity=tuple(sensitivity),
    )


class Checker:
    """The checks a schema cannot make: every name refers to a dataset column or a named
    condition of the review (a flag) of the right kind, each panel has what its kind needs,
    names are unique."""

    def __init__(
        self, data: dict, columns: Sequence, source: str, definitions: Definitions | None = None
    ):
        self.data = data
        self.columns = column_kinds(columns)
        self.enums = {c.name: list(c.enum) for c in columns if c.enum}
        self.source = source
        self.named: list[str] = list((definitions or Definitions()).conditions)
        self.found: list[str] = []

    def problems(self) -> list[str]:
        for i, name in enumerate((self.data.get("descriptive") or {}).get("skip", [])):
            self.column(f"descriptive.skip[{i}]", name, "any")
        for g, group in enumerate(self.data["characteristics"]["groups"]):
            for r, row in enumerate(group["rows"]):
                self.check_row(f"characteristics.groups[{g}].rows[{r}]", row)
        for name, figure in self.data["figures"].items():
            self.check_figure(f"figures.{name}", figure)
        self.check_sensitivity()
        return self.found

    def say(self, key: str, text: str) -> None:
        self.found.append(f"{self.source}: {key}: {text}")

    def column(self, key: str, name: str, kind: str) -> None:
        """`name` must be a dataset column (or named condition) of `kind`: flag, number, category,
        any."""
        known = dict(self.columns)
        known.update({flag: "boolean" for flag in self.named})
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            self.say(key, f"{name!r}: no such dataset column or named condition{hint}")
            return
        ok = {
            "flag": {"boolean"},
            "number": {"number", "integer"},
            "category": {"category", "string"},
            "grid": {"boolean", "category"},
            "predictor": {"boolean", "number", "integer"},
            "any": set(known.values()),
        }[kind]
        if known[name] not in ok:
            wanted = {
                "flag": "a true/false column or named condition",
                "grid": "a flag or category",
                "predictor": "a flag or a number",
            }
            self.say(key, f"{name!r} is a {known[name]} column: must be {wanted.get(kind, kind)}")

    def check_row(self, key: str, row: dict) -> None:
        if "summary" in row:
            self.column(f"{key}.summary", row["summary"], "number")
            return
        if "value" in row:
            self.column(f"{key}.count", row["count"], "category")
            enum = self.enums.get(row["count"])
            if enum and row["value"] not in enum:
                self.say(
                    f"{key}.value",
                    f"{row['value']!r}: not a value of {row['count']}: one of {', '.join(enum)}",
                )
        else:
            self.column(f"{key}.count", row["count"], "flag")
        for other in ("of", "reported_if"):
            if other in row:
                self.column(f"{key}.{other}", row[other], "flag")
        if "of" in row and "reported_if" in row:
            self.say(key, "give `of` (a subgroup) or `reported_if`, not both")

    def check_placeholders(self, key: str, text: str) -> None:
        left = PLACEHOLDER.sub("", text)
        if "{" in left or "}" in left:
            brace = "{" if "{" in left else "}"
            self.say(
                key,
                f"{text!r}: a {brace!r} that is not part of a placeholder (unbalanced, or "
                "around something else): braces hold only the placeholders {n} or "
                "{<column>.true|reported|not_reported}; use ( ) or [ ] for other text",
            )
        for match in PLACEHOLDER.finditer(text):
            name, _, part = match.group(1).partition(".")
            if (not part and name != "n") or (part and part not in TITLE_PARTS):
                self.say(
                    key,
                    f"{{{match.group(1)}}}: placeholders are {{n}} or {{<column>.true|reported|"
                    "not_reported}",
                )
            elif part:
                self.column(key, name, "any")

    def check_figure(self, key: str, figure: dict) -> None:
        self.check_placeholders(f"{key}.title", figure.get("title", ""))
        panels = figure["panels"]
        ratios = figure.get("width_ratios")
        if ratios is not None and len(ratios) != len(panels):
            self.say(f"{key}.width_ratios", f"{len(ratios)} ratios for {len(panels)} panels")
        needs = {
            "bars": ["bars"],
            "paired_bars": ["bars", "series"],
            "combinations": ["codes"],
            "grid": ["domains", "row_label"],
        }
        for p, panel in enumerate(panels):
            where_ = f"{key}.panels[{p}]"
            kind = panel["kind"]
            for missing in [k for k in needs[kind] if k not in panel]:
                self.say(where_, f"a {kind} panel needs `{missing}`")
            if kind == "grid" and len(panels) > 1:
                self.say(where_, "a grid panel fills its figure: declare it alone")
            self.check_placeholders(f"{where_}.title", panel.get("title", ""))
            self.check_panel(where_, kind, panel)

    def check_panel(self, key: str, kind: str, panel: dict) -> None:
        of = panel.get("of")
        if kind == "paired_bars":
            if of is not None and (not isinstance(of, list) or len(of) != 2):
                self.say(f"{key}.of", "paired bars need two flags, one per series")
            for b, bar in enumerate(panel.get("bars", [])):
                if len(bar.get("columns", [])) != 2:
                    self.say(f"{key}.bars[{b}]", "a paired bar needs `columns`: two flags")
                for c, column in enumerate(bar.get("columns", [])):
                    self.column(f"{key}.bars[{b}].columns[{c}]", column, "flag")
        elif of is not None and not isinstance(of, str):
            self.say(f"{key}.of", "one flag (a list is for paired bars)")
        for flag in of if isinstance(of, list) else [of] if of else []:
            self.column(f"{key}.of", flag, "flag")
        if kind == "bars":
            for b, bar in enumerate(panel.get("bars", [])):
                if "column" not in bar:
                    self.say(f"{key}.bars[{b}]", "a bar needs `column`")
                else:
                    self.column(f"{key}.bars[{b}].column", bar["column"], "flag")
        if kind == "combinations":
            for column in panel.get("codes", {}):
                self.column(f"{key}.codes.{column}", column, "flag")
        if kind == "grid":
            for c, column in enumerate(panel.get("row_label", [])):
                self.column(f"{key}.row_label[{c}]", column, "any")
            for d, domain in enumerate(panel.get("domains", [])):
                for c, cell in enumerate(domain["columns"]):
                    if "column" not in cell:
                        self.say(f"{key}.domains[{d}].columns[{c}]", "needs `column`")
                    else:
                        self.column(
                            f"{key}.domains[{d}].columns[{c}].column", cell["column"], "grid"
                        )

    def check_sensitivity(self) -> None:
        names = []
        for i, item in enumerate(self.data.get("sensitivity") or []):
            key = f"sensitivity[{i}]"
            if item["name"] in names:
                self.say(f"{key}.name", f"{item['name']!r} is used twice: unique names")
            names.append(item["name"])
            duplicates = item.get("drop_possible_duplicates")
            judged = item.get("exclude_studies_judged")
            if duplicates and judged:
                self.say(
                    key,
                    "one exclusion per analysis: drop_possible_duplicates or "
                    "exclude_studies_judged",
                )
            if duplicates:
                self.column(f"{key}.drop_possible_duplicates.column", duplicates["column"], "any")
                year = duplicates.get("year_column", "year")
                self.column(f"{key}.drop_possible_duplicates.year_column", year, "number")
            if judged is not None and not item.get("study_quality"):
                self.say(key, "exclude_studies_judged needs `study_quality` (the appraisal file)")
            if judged is not None:
                study = item.get("study_column", "study_id")
                self.column(f"{key}.study_column", study, "any")


def column_kinds(columns) -> dict[str, str]:
    """name -> kind (boolean, number, integer, string, or category for a column with an enum)
    of the codebook's dataset columns (`Codebook.columns`)."""
    return {c.name: "category" if c.enum else c.type for c in columns}


# ---------------------------------------------------------------------------------- flags


def as_flag(column: pd.Series) -> pd.Series:
    """A true/false column with missing read as false."""
    return pd.Series(flag_rows(column), index=column.index, name=column.name, copy=True)


def condition_context(analysis: Analysis) -> Context:
    """The review's named conditions and parameters, with the file's not-reported words."""
    return Context(
        parameters=analysis.definitions.parameters,
        named=analysis.definitions.named,
        not_reported_values=analysis.settings.not_reported_values,
        quantile_method=analysis.settings.quantile_method,
    )


def with_flags(cases: pd.DataFrame, analysis: Analysis) -> pd.DataFrame:
    """`cases` with one true/false column per named condition of the review."""
    return with_named(cases, condition_context(analysis), analysis.definitions.conditions)


def figure_columns(spec: Mapping, frame: pd.DataFrame) -> list[str]:
    """The columns of `frame` a figure's declaration names (a value or key anywhere in it, or a
    {placeholder} of its texts), in the frame's order: all a figure is drawn from."""
    names: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, Mapping):
            for key, value in node.items():
                walk(key)
                walk(value)
        elif isinstance(node, list | tuple):
            for value in node:
                walk(value)
        elif isinstance(node, str):
            names.add(node)
            names.update(m.group(1).partition(".")[0] for m in PLACEHOLDER.finditer(node))

    walk(spec)
    return [column for column in frame.columns if column in names]


def fill_title(text: str, cases: pd.DataFrame, settings: Settings) -> str:
    """A title with its placeholders filled: {n}, {<column>.true|reported|not_reported} (the one
    placeholder syntax of the review's files, `reviewflow.core.conditions.PLACEHOLDER`)."""

    def value(match: re.Match) -> str:
        name, _, part = match.group(1).partition(".")
        if not part:
            return str(len(cases))
        known = reported(cases[name], settings.not_reported_values)
        if part == "true":
            return str(int(as_flag(cases[name]).sum()))
        if part == "reported":
            return str(int(known.sum()))
        return str(int((~known).sum()))

    return PLACEHOLDER.sub(value, text)


def load_analysed_cases(
    inputs: Mapping[str, str],
    statistics: Mapping | None = None,
    checked: str | os.PathLike | None = None,
) -> tuple[Codebook, Analysis, pd.DataFrame]:
    """What every table and figure rule reads, from the paths `inputs` names (`cases`,
    `codebook`, `vocabulary`, `definitions`, `analysis`, `schema`): the codebook (with the
    vocabulary's flags), the analysis file checked against it and the review's definitions
    (with config.yaml's `statistics`: normality alpha, quantile method) and the dataset typed
    by the codebook; `checked` as for `load_analysis`."""
    book = load_codebook(inputs["codebook"], inputs["vocabulary"])
    definitions = load_definitions(inputs["definitions"], book)
    declared = load_analysis(
        inputs["analysis"], book.columns, inputs["schema"], statistics, definitions, checked
    )
    return book, declared, read_cases(inputs["cases"], book)
