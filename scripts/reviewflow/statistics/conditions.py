"""A small condition language over the dataset's rows (one row per patient), for declared figures.

A condition is a YAML mapping with exactly one key (documented in
workflow/schemas/reported_results.schema.yaml and ARCHITECTURE.md)::

    {column: sex, equals: male}          the column holds this value
    {column: serum, in: [normal, high]}  the column holds one of these values
    {is_true: flag}                      a boolean column is true (false or missing: no)
    {is_false: flag}                     a boolean column is false (missing: no)
    {reported: col}                      the column is reported (not empty)
    {not_reported: col}                  the column is empty
    {above: {column, value, inclusive, bound_column}}
                                         the number is > value (>= when inclusive); a printed
                                         lower bound (bound_column says `greater_than`) counts
                                         when it is >= value
    {outlier: {column, unit, factor}}    an extreme value: beyond Q1/Q3 -/+ factor IQR
    {all: [...]}  {any: [...]}  {not: condition}
    {condition: name}                    a named condition of the file

A value written `$name` is the file's parameter `name`. A missing value never satisfies a test.
Evaluating gives a boolean Series on the rows' index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from reviewflow.statistics.measures import (
    extreme_outlier_bounds,
    extreme_outliers,
    fmt,
    surely_exceeds,
)

LEAVES = ("column", "is_true", "is_false", "reported", "not_reported", "above", "outlier")
GROUPS = ("all", "any", "not", "condition")
KINDS = LEAVES + GROUPS


@dataclass(frozen=True)
class Context:
    """What a condition is evaluated with.

    `inclusive`: every `above` read as >= (True), > (False) or as written (None);
    `text_flags`: flag column -> word; `{is_true: flag}` then tests whether a word of the raw text
    (`text_column`) begins with that word (a naive text count) instead of the flag.
    """

    parameters: dict = field(default_factory=dict)
    named: dict = field(default_factory=dict)
    outlier_factor: float = 3.0
    quantile_method: str = "weibull"
    inclusive: bool | None = None
    text_flags: dict = field(default_factory=dict)
    text_column: str = ""


def parameter(value, parameters: dict):
    """`$name` -> the parameter's value; anything else as it is."""
    if isinstance(value, str) and value.startswith("$"):
        return parameters[value[1:]]
    return value


def kind_of(condition: dict) -> str:
    """The condition's one key (`column` for the `{column, equals|in}` form)."""
    return "column" if "column" in condition else next(iter(condition))


def evaluate(condition: dict, cases: pd.DataFrame, context: Context) -> pd.Series:
    """Rows where `condition` holds (boolean Series, missing values -> False)."""
    kind = kind_of(condition)
    body = condition[kind]
    if kind == "all":
        result = pd.Series(True, index=cases.index)
        for part in body:
            result &= evaluate(part, cases, context)
        return result
    if kind == "any":
        result = pd.Series(False, index=cases.index)
        for part in body:
            result |= evaluate(part, cases, context)
        return result
    if kind == "not":
        return ~evaluate(body, cases, context)
    if kind == "condition":
        return evaluate(context.named[body], cases, context)
    return _leaf(kind, condition, cases, context).fillna(False).astype(bool)


def _leaf(kind: str, condition: dict, cases: pd.DataFrame, context: Context) -> pd.Series:
    value = condition[kind]
    if kind == "column":
        column = cases[value]
        if "equals" in condition:
            return column == parameter(condition["equals"], context.parameters)
        return column.isin([parameter(v, context.parameters) for v in condition["in"]])
    if kind == "is_true":
        if value in context.text_flags:
            return word_match(cases[context.text_column], context.text_flags[value])
        return cases[value].fillna(False).astype(bool)
    if kind == "is_false":
        return cases[value].eq(False)
    if kind == "reported":
        return cases[value].notna()
    if kind == "not_reported":
        return cases[value].isna()
    if kind == "above":
        return _above(value, cases, context)
    return _outliers(value, cases, context)


def _above(spec: dict, cases: pd.DataFrame, context: Context) -> pd.Series:
    threshold = float(parameter(spec["value"], context.parameters))
    inclusive = spec.get("inclusive", False) if context.inclusive is None else context.inclusive
    bound_column = spec.get("bound_column")

    def test(row) -> bool:
        low = row[spec["column"]]
        low = None if pd.isna(low) else float(low)
        qualifier = row[bound_column] if bound_column else None
        qualifier = None if qualifier is None or pd.isna(qualifier) else qualifier
        return surely_exceeds(low, None, qualifier, threshold, inclusive)

    if cases.empty:
        return pd.Series(False, index=cases.index)
    return cases.apply(test, axis=1).astype(bool)


def _outliers(spec: dict, cases: pd.DataFrame, context: Context) -> pd.Series:
    factor = float(parameter(spec.get("factor", context.outlier_factor), context.parameters))
    return extreme_outliers(cases[spec["column"]], factor, context.quantile_method)


def word_match(text: pd.Series, word: str) -> pd.Series:
    """Does a word of the text begin with `word` (any case)?"""
    return text.fillna("").astype(str).str.contains(rf"\b{re.escape(word)}", case=False)


def explain(condition: dict, cases: pd.DataFrame, context: Context) -> str:
    """The rows a condition picks, for a note: `C18`, or for an outlier test
    `C55 (3260 mg/dL), above Q3 + 3 IQR = 1849.5`; the parts of an `any` that pick rows are
    explained one by one, joined by `; `."""
    kind = kind_of(condition)
    if kind == "any" and all(kind_of(part) == "outlier" for part in condition["any"]):
        parts = [explain(part, cases, context) for part in condition["any"]]
        return "; ".join(part for part in parts if part)
    mask = evaluate(condition, cases, context)
    if kind != "outlier":
        return ", ".join(cases.loc[mask, "case_id"])
    if not mask.any():
        return ""
    spec = condition["outlier"]
    factor = float(parameter(spec.get("factor", context.outlier_factor), context.parameters))
    _, high = extreme_outlier_bounds(cases[spec["column"]], factor, context.quantile_method)
    unit = spec.get("unit", "")
    shown = ", ".join(
        f"{row.case_id} ({row[spec['column']]:g} {unit})".replace(" )", ")")
        for _, row in cases[mask].iterrows()
    )
    return f"{shown}, above Q3 + {factor:g} IQR = {fmt(high, 1)}"


def parts_of(condition: dict) -> list[dict]:
    """The conditions an `all`, `any` or `not` combines (none for the other forms)."""
    kind = kind_of(condition)
    if kind in ("all", "any"):
        return list(condition[kind])
    return [condition["not"]] if kind == "not" else []


def columns_used(condition: dict, named: dict) -> list[str]:
    """Every dataset column a condition reads (named conditions followed)."""
    found: list[str] = []

    def walk(node):
        kind = kind_of(node)
        body = node[kind]
        if kind in ("all", "any", "not"):
            for part in parts_of(node):
                walk(part)
        elif kind == "condition":
            if body in named:
                walk(named[body])
        elif kind in ("above", "outlier"):
            found.append(body["column"])
            if body.get("bound_column"):
                found.append(body["bound_column"])
        else:
            found.append(body)

    walk(condition)
    return found


def references(condition: dict) -> tuple[list[str], list[str]]:
    """(named conditions, `$parameters`) a condition refers to, directly."""
    names: list[str] = []
    params: list[str] = []

    def note_value(value):
        if isinstance(value, str) and value.startswith("$"):
            params.append(value[1:])

    def walk(node):
        kind = kind_of(node)
        body = node[kind]
        if kind in ("all", "any", "not"):
            for part in parts_of(node):
                walk(part)
        elif kind == "condition":
            names.append(body)
        elif kind == "column":
            note_value(node.get("equals"))
            for value in node.get("in", []):
                note_value(value)
        elif kind in ("above", "outlier"):
            note_value(body.get("value"))
            note_value(body.get("factor"))

    walk(condition)
    return names, params
