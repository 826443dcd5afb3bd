"""The review's one condition language and its one evaluator, over a frame of patients.

A condition is a YAML mapping with exactly one key (the `column` form has two)::

    {column: sex, equals: male}          the column holds this value
    {column: serum, in: [normal, high]}  the column holds one of these values
    {is_true: flag}                      a true/false column is true (false or missing: no)
    {is_false: flag}                     a true/false column is false (missing: no)
    {reported: col}                      the column holds a value (not empty, not a declared
                                         not-reported word)
    {not_reported: col}                  the opposite of reported
    {above: {column, value, inclusive, bound_column}}
                                         the number is > value (>= when inclusive); a printed
                                         lower bound (bound_column says `greater_than`) counts
                                         when it is >= value
    {at_most: {column, value}}           a reported number is <= value
    {outlier: {column, unit, factor}}    an extreme value: beyond Q1/Q3 -/+ factor IQR
    {starts_with: {column, prefix_column}}
                                         the text begins with the other column's text (any case)
    {all: [...]}  {any: [...]}  {not: condition}
    {condition: name}                    a named condition (the review's definitions)

A value written exactly `{name}` is the review's parameter `name` (the one placeholder syntax of
the review's files: `{name}` and `{name.attribute}` in texts). A missing value never satisfies a
test. Evaluating gives a boolean Series on the frame's index. `condition_problems` checks a
condition before it is evaluated and locates every problem by file and key.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

LEAVES = (
    "column",
    "is_true",
    "is_false",
    "reported",
    "not_reported",
    "above",
    "at_most",
    "outlier",
    "starts_with",
)
GROUPS = ("all", "any", "not", "condition")
KINDS = LEAVES + GROUPS
PARAMETER = re.compile(r"^\{(\w+)\}$")
OLD_PARAMETER = re.compile(r"^\$(\w+)$")
SPEC_KEYS = {
    "above": ({"column", "value"}, {"inclusive", "bound_column"}),
    "at_most": ({"column", "value"}, set()),
    "outlier": ({"column"}, {"unit", "factor"}),
    "starts_with": ({"column", "prefix_column"}, set()),
}
PLACEHOLDER = re.compile(r"\{(\w+(?:\.\w+)*)\}")
OLD_PLACEHOLDER = re.compile(r"\{(\w+)\[([\w.]+)\]\}")


@dataclass(frozen=True)
class Context:
    """What a condition is evaluated with.

    `named`: the review's named conditions; `parameters`: its parameters;
    `not_reported_values`: words that mean "not reported" (like an empty cell);
    `inclusive`: every `above` read as >= (True), > (False) or as written (None);
    `text_flags`: flag column -> word; `{is_true: flag}` then tests whether a word of the raw text
    (`text_column`) begins with that word (a naive text count) instead of the flag.
    """

    parameters: dict = field(default_factory=dict)
    named: dict = field(default_factory=dict)
    not_reported_values: tuple = ()
    outlier_factor: float = 3.0
    quantile_method: str = "weibull"
    inclusive: bool | None = None
    text_flags: dict = field(default_factory=dict)
    text_column: str = ""


def parameter_name(value) -> str | None:
    """`name` for a value written `{name}`, else None."""
    if isinstance(value, str):
        match = PARAMETER.match(value)
        if match:
            return match.group(1)
    return None


def parameter(value, parameters: dict):
    """`{name}` -> the parameter's value; anything else as it is."""
    name = parameter_name(value)
    return value if name is None else parameters[name]


def kind_of(condition: dict) -> str:
    """The condition's one key (`column` for the `{column, equals|in}` form)."""
    return "column" if "column" in condition else next(iter(condition))


# ---------------------------------------------------------------------------------- evaluate


def evaluate(condition: dict, cases: pd.DataFrame, context: Context) -> pd.Series:
    """Rows where `condition` holds (boolean Series, missing values -> False)."""
    return Evaluator(cases, context)(condition)


class Evaluator:
    """Conditions evaluated over one frame with one context, each distinct condition once (a
    named condition, or a part that several conditions share: its rows are kept, by the
    condition's text, for as long as the evaluator lives), combined as arrays (a Series is made
    only for the caller). Neither the frame nor the context may change meanwhile."""

    def __init__(self, cases: pd.DataFrame, context: Context):
        self.cases = cases
        self.context = context
        self._done: dict[str, np.ndarray] = {}

    def __call__(self, condition: dict) -> pd.Series:
        """Rows where `condition` holds (a Series of its own: the caller may change it)."""
        return pd.Series(self._rows(condition), index=self.cases.index, copy=True)

    def _rows(self, condition: dict) -> np.ndarray:
        """The condition's rows as a boolean array, computed once per distinct condition (never
        changed in place: the arrays are shared)."""
        key = repr(condition)
        found = self._done.get(key)
        if found is None:
            found = self._done[key] = self._compute(condition)
        return found

    def _compute(self, condition: dict) -> np.ndarray:
        kind = kind_of(condition)
        body = condition[kind]
        if kind == "all":
            result = np.ones(len(self.cases), dtype=bool)
            for part in body:
                result = result & self._rows(part)
            return result
        if kind == "any":
            result = np.zeros(len(self.cases), dtype=bool)
            for part in body:
                result = result | self._rows(part)
            return result
        if kind == "not":
            return ~self._rows(body)
        if kind == "condition":
            return self._rows(self.context.named[body])
        if kind in ("reported", "not_reported"):
            rows = reported_rows(self.cases[body], self.context.not_reported_values)
            return rows if kind == "reported" else ~rows
        if kind == "is_true" and body not in self.context.text_flags:
            return flag_rows(self.cases[body])
        return as_rows(_leaf(kind, condition, self.cases, self.context))


def as_rows(holds: pd.Series) -> np.ndarray:
    """A test's result as a boolean array, a missing value read as false."""
    if holds.dtype == bool:
        return holds.to_numpy()
    return holds.to_numpy(dtype=bool, na_value=False)


def flag_rows(column: pd.Series) -> np.ndarray:
    """A true/false column as a boolean array, a missing value read as false."""
    if isinstance(column.dtype, pd.BooleanDtype) or column.dtype == bool:  # no conversion needed
        return column.to_numpy(dtype=bool, na_value=False)
    return column.astype("boolean").fillna(False).astype(bool).to_numpy()


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
        return pd.Series(flag_rows(cases[value]), index=cases.index)
    if kind == "is_false":
        return cases[value].eq(False)
    if kind == "above":
        return _above(value, cases, context)
    if kind == "at_most":
        numbers = pd.to_numeric(cases[value["column"]], errors="coerce")
        return numbers <= float(parameter(value["value"], context.parameters))
    if kind == "starts_with":
        text = cases[value["column"]].fillna("").astype(str).str.casefold()
        prefix = cases[value["prefix_column"]].fillna("").astype(str).str.casefold()
        return pd.Series(
            [t.startswith(p) for t, p in zip(text, prefix, strict=True)], index=cases.index
        )
    return outliers(cases[value["column"]], _factor(value, context), context.quantile_method)


def reported(column: pd.Series, not_reported_values=()) -> pd.Series:
    """True where a value is reported: not missing, not empty text, not a not-reported word."""
    rows = reported_rows(column, not_reported_values)
    return pd.Series(rows, index=column.index, name=column.name, dtype=bool)


def reported_rows(column: pd.Series, not_reported_values=()) -> np.ndarray:
    """`reported` as a boolean array (the evaluator's form)."""
    if isinstance(column.dtype, pd.StringDtype):  # texts or missing: tested one by one, faster
        words = tuple(not_reported_values)
        texts = column.to_numpy(dtype=object, na_value=None)
        return np.array([t is not None and t != "" and t not in words for t in texts], dtype=bool)
    if column.dtype == object or pd.api.types.is_string_dtype(column):
        text = column.astype("string")
        known = column.notna() & (text != "") & ~text.isin(list(not_reported_values))
        return as_rows(known)
    return ~np.asarray(column.array.isna(), dtype=bool)


def _above(spec: dict, cases: pd.DataFrame, context: Context) -> pd.Series:
    """A printed number surely above the threshold (a lower bound `greater_than` counts at >=)."""
    threshold = float(parameter(spec["value"], context.parameters))
    inclusive = spec.get("inclusive", False) if context.inclusive is None else context.inclusive
    low = pd.to_numeric(cases[spec["column"]], errors="coerce")
    bound_column = spec.get("bound_column")
    lower_bound = (
        cases[bound_column].eq("greater_than")
        if bound_column
        else pd.Series(False, index=cases.index)
    )
    at_least = low >= threshold
    strictly = at_least if inclusive else low > threshold
    return (at_least & lower_bound) | (strictly & ~lower_bound)


def _factor(spec: dict, context: Context) -> float:
    return float(parameter(spec.get("factor", context.outlier_factor), context.parameters))


def outlier_bounds(
    values: pd.Series, factor: float = 3.0, method: str = "weibull"
) -> tuple[float, float] | None:
    """(Q1 - factor IQR, Q3 + factor IQR) of the reported values; None with fewer than 4 values."""
    data = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if len(data) < 4:
        return None
    q1, q3 = np.percentile(data, [25, 75], method=method)
    iqr = q3 - q1
    return float(q1 - factor * iqr), float(q3 + factor * iqr)


def outliers(values: pd.Series, factor: float = 3.0, method: str = "weibull") -> pd.Series:
    """Boolean mask (same index) of values outside `outlier_bounds`; missing = False."""
    bounds = outlier_bounds(values, factor, method)
    numbers = pd.to_numeric(values, errors="coerce")
    if bounds is None:
        return pd.Series(False, index=values.index)
    low, high = bounds
    return ((numbers < low) | (numbers > high)).fillna(False).astype(bool)


def word_match(text: pd.Series, word: str) -> pd.Series:
    """Does a word of the text begin with `word` (any case)?"""
    return text.fillna("").astype(str).str.contains(rf"\b{re.escape(word)}", case=False)


def with_named(cases: pd.DataFrame, context: Context, names=None) -> pd.DataFrame:
    """`cases` with one true/false column per named condition of `context` (or of `names`
    only), usable as a flag; each named condition evaluated once, however many refer to it."""
    frame = cases.copy()
    holds = Evaluator(cases, context)
    for name in context.named if names is None else names:
        frame[name] = holds(context.named[name])
    return frame


# ---------------------------------------------------------------------------------- inspect


def parts_of(condition: dict) -> list[dict]:
    """The conditions an `all`, `any` or `not` combines (none for the other forms)."""
    kind = kind_of(condition)
    if kind in ("all", "any"):
        return list(condition[kind])
    return [condition["not"]] if kind == "not" else []


def nodes(condition: dict):
    """The condition and every condition inside it, depth-first (the parts of `all`, `any` and
    `not`; a named condition is not followed)."""
    yield condition
    for part in parts_of(condition):
        yield from nodes(part)


def columns_used(condition: dict, named: dict) -> list[str]:
    """Every column a condition reads (named conditions followed)."""
    found: list[str] = []
    for node in nodes(condition):
        kind = kind_of(node)
        body = node[kind]
        if kind in ("all", "any", "not"):
            continue
        if kind == "condition":
            if body in named:
                found += columns_used(named[body], named)
        elif kind in SPEC_KEYS:
            found.append(body["column"])
            found += [body[other] for other in ("bound_column", "prefix_column") if body.get(other)]
        else:
            found.append(body)
    return found


def references(condition: dict) -> tuple[list[str], list[str]]:
    """(named conditions, `{parameters}`) a condition refers to, directly."""
    names: list[str] = []
    values: list = []
    for node in nodes(condition):
        kind = kind_of(node)
        if kind == "condition":
            names.append(node[kind])
        elif kind == "column":
            values += [node.get("equals"), *node.get("in", [])]
        elif kind in SPEC_KEYS:
            values += [node[kind].get("value"), node[kind].get("factor")]
    params = [name for name in map(parameter_name, values) if name is not None]
    return names, params


# ---------------------------------------------------------------------------------- check


def condition_problems(
    where: str,
    condition,
    columns=None,
    named=None,
    parameters=None,
) -> list[str]:
    """Every problem of one condition, each located (`where` is `file: key`): a form that is
    not one of the language's, a column not in `columns`, a named condition not in `named`, a
    parameter not in `parameters` (each checked when given), an old-style `$name`."""
    problems: list[str] = []

    def say(key: str, text: str) -> None:
        problems.append(f"{where}{key}: {text}")

    def value(key: str, found) -> None:
        if isinstance(found, str) and OLD_PARAMETER.match(found):
            name = found[1:]
            say(key, f"{found!r}: the old spelling of a parameter: write '{{{name}}}'")
            return
        name = parameter_name(found)
        if name is not None and parameters is not None and name not in parameters:
            say(key, f"{found}: not a parameter; known: {', '.join(sorted(parameters))}")

    def column(key: str, name) -> None:
        if not isinstance(name, str):
            say(key, f"{name!r}: a column name")
        elif columns is not None and name not in columns:
            named_too = named is not None and name in named
            hint = " (a named condition: write {condition: " + name + "})" if named_too else ""
            say(key, f"{name!r}: not a column{hint}")

    def walk(key: str, node) -> None:
        if not isinstance(node, dict) or not node:
            say(key, f"{node!r}: a condition is a mapping: one of {', '.join(KINDS)}")
            return
        kind = kind_of(node)
        if kind not in KINDS:
            say(key, f"{kind!r}: unknown kind of condition: one of {', '.join(KINDS)}")
            return
        body = node[kind]
        if kind == "column":
            extra = set(node) - {"column", "equals", "in"}
            tests = [k for k in ("equals", "in") if k in node]
            if extra or len(tests) != 1:
                say(key, f"{node!r}: {{column, equals}} or {{column, in: [..]}}")
                return
            column(f"{key}.column", body)
            for i, item in enumerate(node["in"] if "in" in node else [node["equals"]]):
                value(f"{key}.{tests[0]}" + (f"[{i}]" if "in" in node else ""), item)
            return
        if len(node) != 1:
            say(key, f"{sorted(node)}: one kind of condition per mapping (combine with all/any)")
            return
        if kind in ("all", "any"):
            if not isinstance(body, list) or not body:
                say(f"{key}.{kind}", "a list of conditions")
                return
            for i, part in enumerate(body):
                walk(f"{key}.{kind}[{i}]", part)
        elif kind == "not":
            walk(f"{key}.not", body)
        elif kind == "condition":
            if named is not None and body not in named:
                say(f"{key}.condition", f"{body!r}: not a named condition of the review")
        elif kind in SPEC_KEYS:
            spec_problems(f"{key}.{kind}", kind, body)
        else:
            column(f"{key}.{kind}", body)

    def spec_problems(key: str, kind: str, body) -> None:
        needed, optional = SPEC_KEYS[kind]
        if not isinstance(body, dict) or not needed <= set(body) or set(body) - needed - optional:
            keys = ", ".join(sorted(needed) + [f"{k} (optional)" for k in sorted(optional)])
            say(key, f"{body!r}: a mapping of {keys}")
            return
        column(f"{key}.column", body["column"])
        for other in ("bound_column", "prefix_column"):
            if body.get(other):
                column(f"{key}.{other}", body[other])
        for name in ("value", "factor"):
            if name in body:
                value(f"{key}.{name}", body[name])
                if not isinstance(body[name], int | float) and parameter_name(body[name]) is None:
                    if not OLD_PARAMETER.match(str(body[name])):
                        say(f"{key}.{name}", f"{body[name]!r}: a number or a '{{parameter}}'")

    walk("", condition)
    return problems


def cycle_problems(where: str, named: dict) -> list[str]:
    """Named conditions that refer, directly or through others, to themselves: each cycle once,
    named by its first condition in the file's order."""
    refers = {
        name: references(condition)[0] if isinstance(condition, dict) and condition else []
        for name, condition in named.items()
    }
    problems, found = [], set()
    for start in named:
        path, seen = [start], {start}
        stack = [(start, iter(refers[start]))]
        while stack:  # depth-first, without recursion: a chain may be long
            _, pending = stack[-1]
            follow = next((n for n in pending if n in refers), None)
            if follow is None:
                stack.pop()
                path.pop()
            elif follow == start:
                cycle = frozenset(path)
                if cycle not in found:
                    found.add(cycle)
                    chain = " -> ".join([*path, start])
                    problems.append(
                        f"{where}.{start}: refers to itself ({chain}): a condition cannot "
                        "contain itself"
                    )
                break
            elif follow not in seen:
                seen.add(follow)
                path.append(follow)
                stack.append((follow, iter(refers[follow])))
    return problems


# ---------------------------------------------------------------------------------- texts


def fill_placeholders(text: str, values: dict) -> str:
    """`text` with each `{name}` or `{name.attribute}` replaced by `values[...]` (as text)."""
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)


def placeholder_problems(where: str, text: str, known) -> list[str]:
    """Placeholders of a text that are not in `known`, an old spelling (`{raw[field]}`,
    `$name`), or a brace that opens none; each located by `where` (`file: key`)."""
    problems = []
    for match in OLD_PLACEHOLDER.finditer(text):
        kind, name = match.groups()
        new = name if kind == "row" else f"{name}.{kind}" if kind in ("raw", "cell") else name
        problems.append(
            f"{where}: {match.group(0)}: the old spelling of a placeholder: write {{{new}}}"
        )
    for match in re.finditer(r"(?<![\w$])\$([A-Za-z_]\w*)", text):
        new = "{" + match.group(1) + "}"
        problems.append(f"{where}: {match.group(0)}: the old spelling of a parameter: write {new}")
    left = PLACEHOLDER.sub("", OLD_PLACEHOLDER.sub("", text))
    if "{" in left or "}" in left:
        problems.append(
            f"{where}: {text!r}: a brace that is not part of a placeholder: braces hold only "
            "{name} or {name.attribute}"
        )
    for name in PLACEHOLDER.findall(text):
        if name not in known:
            close = difflib.get_close_matches(name, list(known), n=1)
            hint = f" (did you mean {{{close[0]}}}?)" if close else ""
            problems.append(f"{where}: {{{name}}}: not a name known here{hint}")
    return problems
