"""Every declared figure of a review computed from its dataset, under its declared readings.

The figures, their computations and their alternative readings are declared in the review's
reported-results file (`config/reported_results.yaml`, loaded by
`reviewflow.statistics.reported`); this
module knows statistics, not reviews. One `Item` per figure, in the file's order; a `summary`
(a continuous variable summarised as mean ± SD or median (Q1, Q3) by Shapiro-Wilk) also gives
its details (`<key>_mean`, `<key>_sd`, ...). Each item carries the figure under every declared
reading that gives a different figure (`alternatives`), so that the reconciliation can say which
reading reproduces a published figure.

Statistics (`compute.statistic`): `count` (rows where `where` holds), `share` (n of a
denominator: `where` among `among`), `ratio` (rows where `where` per row where `per`), and over a
number column (rows kept by `among`, converted by `convert`): `summary`, `mean`, `sd`, `median`,
`q1`, `q3`, `min`, `max`, `shapiro_w`, `shapiro_p`, `range` (min–max), `iqr` (Q1–Q3).

Readings change the computation: `leave_out` (rows left out of everything), `where`, `among`,
`statistic`, `convert` (merged into the item's), `thresholds` (`inclusive`: every `above` read
as >=; `exclusive`: as >), `text_match` (flags re-counted by a naive word match on a raw text
column), `percent_over_all` (the percentage over all rows), `combine` (named readings at once).
A reading that changes nothing, or whose rows (`leave_out`, `cases`, missed text) are none, is
left out.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, replace

import pandas as pd

from reviewflow.core.conditions import (
    Context,
    Evaluator,
    evaluate,
    kind_of,
    outlier_bounds,
    parameter,
    word_match,
)
from reviewflow.core.errors import InputProblems
from reviewflow.statistics.measures import (
    Continuous,
    Proportion,
    Settings,
    describe,
    fmt,
    month_wording,
    p_text,
    proportion_where,
)

DAYS = {"days": 1.0, "weeks": 7.0}  # months: the declared days_per_month
MEAN_MONTH_DAYS = 30.44  # a mean Gregorian month, when a conversion does not say
DETAILS = {
    "mean": "mean",
    "sd": "standard deviation (sample)",
    "median": "median",
    "q1": "first quartile (SPSS definition)",
    "q3": "third quartile (SPSS definition)",
    "min": "minimum",
    "max": "maximum",
    "shapiro_w": "Shapiro-Wilk W",
    "shapiro_p": "Shapiro-Wilk p-value",
}
CONTINUOUS = ("summary", *DETAILS, "range", "iqr")
STATISTICS = ("count", "share", "ratio", *CONTINUOUS)
SUMMARY_COLUMNS = ["item", "section", "description", "n", "denominator", "value", "text"]


@dataclass(frozen=True)
class Values:
    """The numbers of one figure; the fields that do not apply are None."""

    n: int | None = None
    denominator: int | None = None
    percent: float | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    text: str = ""

    @classmethod
    def of(cls, share: Proportion) -> Values:
        return cls(share.n, share.denominator, share.percent, text=share.text())

    @classmethod
    def count(cls, n: int) -> Values:
        return cls(n=int(n), text=str(int(n)))

    @classmethod
    def number(cls, value: float | None, n: int | None = None, decimals: int = 2) -> Values:
        return cls(n=n, value=value, text=fmt(value, decimals))

    @classmethod
    def interval(cls, low: float | None, high: float | None, decimals: int = 2) -> Values:
        return cls(low=low, high=high, text=f"{fmt(low, decimals)}–{fmt(high, decimals)}")


@dataclass(frozen=True)
class Reading:
    """The same figure computed under another reading; `label` says what that reading assumes.
    A `quiet` reading is tried on every item and named only when it reproduces a figure."""

    label: str
    values: Values
    quiet: bool = False


@dataclass(frozen=True)
class Item:
    key: str
    section: str
    description: str
    values: Values | None = None
    alternatives: tuple[Reading, ...] = ()
    not_derivable: str = ""  # why the dataset cannot give this figure
    hint: str = ""  # what else may explain a difference that no reading reproduces
    remark: str = ""  # said whatever the status (e.g. a mean of a skewed variable)
    statistic: str = ""  # for a continuous summary: "mean ± SD" or "median (Q1, Q3)"


# ---------------------------------------------------------------------------------- templates


def shown_parameter(value) -> str:
    """A parameter in a text: numbers without trailing zeros (8, 30.44)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    return str(value)


def fill(template: str, parameters: dict, **extra) -> str:
    """`template` with `{name}` replaced by a parameter (numbers as 8, 30.44) or an extra value."""
    values = {name: shown_parameter(value) for name, value in parameters.items()}
    values.update({name: str(value) for name, value in extra.items()})
    return template.format_map(values)


def conversion(compute: dict, parameters: dict) -> tuple[float, float, dict] | None:
    """(days per `from` unit, days per `to` unit, template values) of a declared conversion."""
    convert = compute.get("convert")
    if not convert:
        return None
    per_month = float(parameter(convert.get("days_per_month", MEAN_MONTH_DAYS), parameters))
    days = {**DAYS, "months": per_month}
    extra = {"month": month_wording(per_month), "days_per_month": f"{per_month:g}"}
    return days[convert["from"]], days[convert["to"]], extra


def template_values(compute: dict, parameters: dict) -> dict:
    converted = conversion(compute, parameters)
    return converted[2] if converted else {}


# ---------------------------------------------------------------------------------- compute


@dataclass(frozen=True)
class Plan:
    """A reading made concrete on the data: rows left out, what it changes, its label values."""

    label: str
    left_out: pd.Series
    changes: dict
    inclusive: bool | None = None
    text_flags: tuple = ()
    text_column: str = ""
    percent_over_all: bool = False


def compute_items(cases: pd.DataFrame, declared, analysis: Settings | None = None) -> list[Item]:
    """Every declared figure (`declared`: `reviewflow.statistics.reported.Declared`), in the
    file's order."""
    analysis = analysis or Settings()
    context = Context(
        parameters=declared.parameters,
        named=declared.conditions,
        outlier_factor=analysis.outlier_iqr_factor,
        quantile_method=analysis.quantile_method,
    )
    holds = Evaluator(cases, context)  # each condition evaluated once for all the items
    plans = Readings(holds, declared)
    items: list[Item] = []
    for key, entry in declared.items.items():
        if "not_derivable" in entry:
            reason = fill(entry["not_derivable"], declared.parameters)
            items.append(Item(key, entry["section"], "", not_derivable=reason))
        elif "compute" in entry:
            items += declared_item(key, entry, holds, declared, analysis, plans)
    return items


class Readings:
    """Each reading made concrete once for all the items that try it: its plan (`make_plan`),
    the notes it gives, and the evaluator of conditions over the rows it keeps, in its context."""

    def __init__(self, holds: Evaluator, declared):
        self.holds = holds
        self.declared = declared
        self._found: dict[str, tuple[Plan | None, list[str], Evaluator | None]] = {}

    def __call__(self, spec) -> tuple[Plan | None, list[str], Evaluator | None]:
        key = repr(spec)
        if key not in self._found:
            self._found[key] = self._made(spec)
        return self._found[key]

    def _made(self, spec) -> tuple[Plan | None, list[str], Evaluator | None]:
        cases, context = self.holds.cases, self.holds.context
        plan, notes = make_plan(spec, cases, self.declared, context)
        if plan is None or plan.percent_over_all:
            return plan, notes, None
        reading_context = replace(
            context,
            inclusive=plan.inclusive,
            text_flags=dict(plan.text_flags),
            text_column=plan.text_column,
        )
        return plan, notes, Evaluator(cases[~plan.left_out], reading_context)


def declared_item(key, entry, holds, declared, analysis, plans: Readings) -> list[Item]:
    """The item (a summary: with its details) with its readings and remarks; `holds`
    evaluates conditions over the items' rows."""
    compute = entry["compute"]
    parameters = declared.parameters
    description = fill(
        entry.get("description", ""), parameters, **template_values(compute, parameters)
    )
    primary = figure(key, entry["section"], description, compute, holds, analysis)
    readings: list[tuple[dict, bool]] = []
    notes: list[str] = []
    own = [(spec, False) for spec in entry.get("readings", [])]
    for spec, quiet in own + [(spec, True) for spec in declared.every_item_readings]:
        plan, note, kept = plans(spec)
        notes += note
        if plan is None:
            continue
        if plan.percent_over_all:
            readings.append((percent_over_all(primary, len(holds.cases), plan), quiet))
            continue
        changed = changed_compute(compute, plan.changes)
        label = fill(plan.label, parameters, **template_values(changed, parameters))
        computed = figure(key, "", "", changed, kept, analysis)
        readings.append(({item.key: (label, item.values) for item in computed}, quiet))
    remark = item_remark(entry, holds, declared)
    hint = " ".join(part for part in [fill(entry.get("hint", ""), parameters), *notes] if part)
    result = []
    for item in primary:
        alternatives = tuple(
            Reading(by_key[item.key][0], by_key[item.key][1], quiet)
            for by_key, quiet in readings
            if item.key in by_key and by_key[item.key][1] != item.values
        )
        head = item.key == key
        result.append(
            replace(
                item,
                alternatives=alternatives,
                remark=" ".join(part for part in (item.remark, remark if head else "") if part),
                hint=hint if head else "",
            )
        )
    return result


def changed_compute(compute: dict, changes: dict) -> dict:
    """The item's computation with a reading's changes (a conversion is merged)."""
    changed = {**compute, **changes}
    if "convert" in changes and "convert" in compute:
        changed["convert"] = {**compute["convert"], **changes["convert"]}
    return changed


def item_remark(entry, holds: Evaluator, declared) -> str:
    """The declared remark; one with `when_no_case` only when no row meets that condition."""
    remark = entry.get("remark")
    if remark is None:
        return ""
    if isinstance(remark, str):
        return fill(remark, declared.parameters)
    if holds(remark["when_no_case"]).any():
        return ""
    return fill(remark["text"], declared.parameters)


def percent_over_all(primary: list[Item], n_cases: int, plan: Plan) -> dict:
    """The share's percentage taken over all rows (n and denominator kept as computed)."""
    found = {}
    for item in primary:
        values = item.values
        if values is None or values.percent is None or values.denominator in (None, n_cases):
            continue
        share = Proportion(values.n, n_cases)
        label = plan.label.format_map(
            {"n_cases": n_cases, "share": share.text(), "denominator": values.denominator}
        )
        reading = Values(values.n, values.denominator, share.percent, text=share.text())
        found[item.key] = (label, reading)
    return found


def make_plan(spec, cases, declared, context) -> tuple[Plan | None, list[str]]:
    """A reading (a name or a mapping) made concrete; None when it picks no row (it would change
    nothing); and a note when it could not be tried."""
    if isinstance(spec, str):
        spec = declared.readings[spec]
    if "combine" in spec:
        plans = [make_plan(name, cases, declared, context) for name in spec["combine"]]
        notes = [note for _, found in plans for note in found]
        if any(plan is None for plan, _ in plans):
            return None, notes
        plans = [plan for plan, _ in plans]
        merged = plans[0]
        for plan in plans[1:]:
            merged = Plan(
                label=f"{merged.label}; and {plan.label}",
                left_out=merged.left_out | plan.left_out,
                changes={**merged.changes, **plan.changes},
                inclusive=plan.inclusive if plan.inclusive is not None else merged.inclusive,
                text_flags=plan.text_flags or merged.text_flags,
                text_column=plan.text_column or merged.text_column,
            )
        return merged, notes
    extra: dict = {}
    left_out = pd.Series(False, index=cases.index)
    for key in ("leave_out", "cases"):
        if key in spec:
            mask = evaluate(spec[key], cases, context)
            if not mask.any():
                return None, []
            if key == "leave_out":
                left_out = mask
            extra["cases"] = explain(spec[key], cases, context)
    text_flags: tuple = ()
    text_column = ""
    if "text_match" in spec:
        match = spec["text_match"]
        raw_column = str(parameter(match["column"], context.parameters))
        text_column = raw_text_column(raw_column)
        if text_column not in cases.columns:
            shown = spec["label"].split(":")[0]
            return None, [
                f"The reading '{shown}' was not tried: the raw column {raw_column!r} "
                "is not available."
            ]
        missed = pd.Series(False, index=cases.index)
        for flag, word in match["words"].items():
            missed |= cases[flag].fillna(False).astype(bool) & ~word_match(cases[text_column], word)
        if not missed.any():
            return None, []
        extra["cases"] = "; ".join(
            f"{row.case_id} '{row[text_column]}'" for _, row in cases[missed].iterrows()
        )
        text_flags = tuple(match["words"].items())
    label = spec["label"]
    if "cases" in extra:  # braces in the data are kept as text when the label is filled
        label = label.replace("{cases}", extra["cases"].replace("{", "{{").replace("}", "}}"))
    changes = {
        key: spec[key] for key in ("where", "among", "per", "statistic", "convert") if key in spec
    }
    inclusive = None if "thresholds" not in spec else spec["thresholds"] == "inclusive"
    plan = Plan(
        label=label,
        left_out=left_out,
        changes=changes,
        inclusive=inclusive,
        text_flags=text_flags,
        text_column=text_column,
        percent_over_all=bool(spec.get("percent_over_all")),
    )
    return plan, []


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
    _, high = outlier_bounds(cases[spec["column"]], factor, context.quantile_method)
    unit = spec.get("unit", "")
    shown = ", ".join(
        f"{row.case_id} ({row[spec['column']]:g} {unit})".replace(" )", ")")
        for _, row in cases[mask].iterrows()
    )
    return f"{shown}, above Q3 + {factor:g} IQR = {fmt(high, 1)}"


def raw_text_column(name: str) -> str:
    """The dataset column that holds a raw-table column attached by `attach_raw_columns`."""
    return f"{name} (as typed)"


def attach_raw_columns(
    cases: pd.DataFrame, raw_path: str | os.PathLike, columns: list[str]
) -> tuple[pd.DataFrame, list[str]]:
    """`cases` with each raw-table column (text as typed, keyed by `case_id`) a reading needs,
    as `raw_text_column(name)`; and warnings for the columns that could not be attached."""
    if not columns:
        return cases, []
    try:
        raw = pd.read_csv(raw_path, sep="\t", dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        return cases, [f"{raw_path}: cannot read the raw table ({error})"]
    if "case_id" not in raw.columns:
        return cases, [f"{raw_path}: no case_id column: raw text not used"]
    raw = raw.drop_duplicates("case_id").set_index("case_id")
    unmatched = sorted(set(cases["case_id"]) - set(raw.index))
    if unmatched:
        return cases, [f"{raw_path}: no row for {', '.join(unmatched)}: raw text not used"]
    joined, warnings = cases.copy(), []
    for column in columns:
        if column not in raw.columns:
            warnings.append(f"{raw_path}: no column {column}: its readings are not tried")
        else:
            joined[raw_text_column(column)] = cases["case_id"].map(raw[column])
    return joined, warnings


# ---------------------------------------------------------------------------------- statistics


def figure(key, section, description, compute, holds: Evaluator, analysis) -> list[Item]:
    """The figure `compute` gives on the rows of `holds`, the evaluator of conditions over them
    (a summary with its details: several items)."""
    cases = holds.cases
    statistic = compute["statistic"]
    where = compute.get("where")
    if statistic == "count":
        n = len(cases) if where is None else int(holds(where).sum())
        return [Item(key, section, description, Values.count(n))]
    if statistic == "share":
        everyone = pd.Series(True, index=cases.index)
        mask = everyone if where is None else holds(where)
        among = everyone if "among" not in compute else holds(compute["among"])
        return [Item(key, section, description, Values.of(proportion_where(mask, among)))]
    if statistic == "ratio":
        top = int(holds(where).sum())
        bottom = int(holds(compute["per"]).sum())
        ratio = top / bottom if bottom else None
        decimals = compute.get("decimals", 2)
        text = f"{fmt(ratio, decimals)}:1" if ratio is not None else ""
        return [Item(key, section, description, Values(value=ratio, text=text))]
    return continuous(key, section, description, compute, holds, analysis)


def numbers(compute: dict, holds: Evaluator) -> pd.Series:
    """The column's values over the rows `among` keeps, converted as declared."""
    values = holds.cases[compute["column"]]
    if "among" in compute:
        values = values[holds(compute["among"])]
    converted = conversion(compute, holds.context.parameters)
    if converted:
        values = values * converted[0] / converted[1]
    return values


def continuous(key, section, label, compute, holds: Evaluator, analysis) -> list[Item]:
    summary = describe(
        numbers(compute, holds),
        alpha=analysis.normality_alpha,
        quantile_method=analysis.quantile_method,
    )
    statistic = compute["statistic"]
    decimals = compute.get("decimals", 2)
    if statistic == "range":
        return [Item(key, section, label, Values.interval(summary.minimum, summary.maximum))]
    if statistic == "iqr":
        return [Item(key, section, label, Values.interval(summary.q1, summary.q3))]
    if statistic in DETAILS:
        return [detail(key, section, label, statistic, summary, decimals)]
    chosen = summary.mean if summary.normal else summary.median
    head = Item(
        key,
        section,
        f"{label}: {summary.summary_kind} ({summary.normality_text()}); "
        f"range {summary.range_text(decimals)}",
        Values(n=summary.n, value=chosen, text=summary.text(decimals)),
        statistic=summary.summary_kind,
    )
    details = compute.get("details", list(DETAILS))
    return [head] + [
        detail(f"{key}_{name}", section, f"{label}: {DETAILS[name]}", name, summary, decimals)
        for name in details
    ]


def detail(key, section, description, name, summary: Continuous, decimals: int) -> Item:
    """One number of a continuous summary (a mean of a skewed variable says so)."""
    value = {"min": summary.minimum, "max": summary.maximum}.get(name, None)
    if name not in ("min", "max"):
        value = getattr(summary, name)
    places = 3 if name.startswith("shapiro") else decimals
    remark = ""
    if name == "mean" and summary.normal is False:
        remark = (
            f"Shapiro-Wilk {p_text(summary.shapiro_p)}: not normal, so the article's methods "
            f"call for the median (Q1, Q3), {summary.text(decimals)}, rather than a mean."
        )
    return Item(
        key,
        section,
        description,
        Values.number(value, n=summary.n, decimals=places),
        remark=remark,
    )


# ---------------------------------------------------------------------------------- summary


def summary_frame(items: list[Item]) -> pd.DataFrame:
    """`results/statistics/summary.tsv`: one row per figure the dataset gives."""
    rows = []
    for item in items:
        if item.values is None:
            continue
        v = item.values
        value = v.percent if v.percent is not None else v.value
        rows.append(
            {
                "item": item.key,
                "section": item.section,
                "description": item.description,
                "n": v.n,
                "denominator": v.denominator,
                "value": None if value is None else round(value, 6),
                "text": v.text,
            }
        )
    frame = pd.DataFrame(rows, columns=SUMMARY_COLUMNS)
    for column in ("n", "denominator"):
        frame[column] = frame[column].astype("Int64")
    return frame


# ------------------------------------------------------------------------------ the items file


def items_document(items: list[Item]) -> dict:
    """`results/statistics/items.json`: every declared figure as computed once (values, every
    reading's values, why it is not derivable), for the rules that consume them."""
    return {"items": [asdict(item) for item in items]}


def read_items(path: str | os.PathLike) -> list[Item]:
    """The items `items_document` wrote, back as `Item`s (in the file's order)."""
    try:
        with open(path, encoding="utf-8") as handle:
            entries = json.load(handle)["items"]
        return [
            Item(
                **{
                    **entry,
                    "values": None if entry["values"] is None else Values(**entry["values"]),
                    "alternatives": tuple(
                        Reading(r["label"], Values(**r["values"]), r["quiet"])
                        for r in entry["alternatives"]
                    ),
                }
            )
            for entry in entries
        ]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise InputProblems(
            str(path), [f"not an items file of the statistics rule ({error})"]
        ) from error
