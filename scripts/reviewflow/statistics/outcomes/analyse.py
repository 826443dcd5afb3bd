"""One declared outcome analysis run on the dataset: the patients it can use (and why the others
are left out) and its estimates, as the contract `results/statistics/outcomes/<name>.json`:

    name, kind, title, columns (the dataset columns and the value mapping used), n_total, n_used,
    included (case_ids), excluded ({case_id, reasons}), estimates (by kind: survival.py,
    compare.py, firth.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from reviewflow.core.conditions import Context, with_named
from reviewflow.extraction.codebook import Codebook
from reviewflow.statistics.analysis_file import Analysis, Settings, condition_context
from reviewflow.statistics.outcomes.compare import fisher, numbers
from reviewflow.statistics.outcomes.declared import Outcome
from reviewflow.statistics.outcomes.firth import firth_models
from reviewflow.statistics.outcomes.survival import kaplan_meier
from reviewflow.statistics.outcomes.usable import Reasons, as_event, group_labels

NUMBER_TYPES = ("number", "integer")


def analyse(
    outcome: Outcome,
    cases: pd.DataFrame,
    key: str,
    settings: Settings,
    context: Context | None = None,
    column_types: dict | None = None,
    flags=None,
) -> dict:
    """The contract of one analysis over `cases` (typed dataset; `key` its id column; `context`
    the review's named conditions; `column_types` name -> codebook type; `flags` the named
    conditions made flags, default all)."""
    context = context or Context()
    flags = list(context.named if flags is None else flags)
    flagged = with_named(cases, context, flags)
    return analysed(outcome, flagged, key, settings, flag_types(column_types, flags))


def flag_types(column_types: dict | None, flags) -> dict:
    """name -> codebook type of the dataset's columns and of the named conditions made flags."""
    types = dict(column_types or {})
    types.update({name: "boolean" for name in flags})
    return types


def analysed(outcome: Outcome, cases: pd.DataFrame, key: str, settings: Settings, types) -> dict:
    """The contract of one analysis over `cases` with its flags already added (`with_named`);
    `types`: name -> type of every column (`flag_types`)."""
    run = {"survival": survival, "compare": compare, "firth": firth}[outcome.kind]
    usable, columns, estimates = run(outcome, cases, key, settings, types)
    return {
        "name": outcome.name,
        "kind": outcome.kind,
        "title": outcome.title,
        "columns": columns,
        "n_total": len(cases),
        "n_used": usable.n,
        "included": usable.included,
        "excluded": usable.excluded,
        "estimates": estimates,
    }


def contracts(
    outcomes: Sequence[Outcome], cases: pd.DataFrame, book: Codebook, analysis: Analysis
) -> list[dict]:
    """The contract of each of `outcomes` over the typed dataset `cases`, in their order (the
    review's named conditions made flags once for all)."""
    flagged, types = flagged_cases(cases, book, analysis)
    return [
        analysed(outcome, flagged, book.primary_key, analysis.settings, types)
        for outcome in outcomes
    ]


def flagged_cases(
    cases: pd.DataFrame, book: Codebook, analysis: Analysis
) -> tuple[pd.DataFrame, dict]:
    """`cases` with the review's named conditions made flags, and the type of every column
    (`flag_types`): what each analysis of `contracts` reads."""
    flags = list(analysis.definitions.conditions)
    flagged = with_named(cases, condition_context(analysis), flags)
    return flagged, flag_types({c.name: c.type for c in book.columns}, flags)


def grouping(outcome: Outcome, cases: pd.DataFrame, reasons: Reasons, frame: pd.DataFrame):
    """Adds the `group` column to `frame`; returns the groups in order and their description."""
    spec = outcome.group
    if spec is None:
        return [], None
    labels, order = group_labels(cases, spec, reasons)
    frame["group"] = labels
    described = {"label": spec.label, "levels": order}
    if spec.conditions:
        described["conditions"] = spec.conditions
    else:
        described["column"] = spec.column
    return order, described


def survival(outcome: Outcome, cases, key, settings, types):
    reasons = Reasons(cases, settings.not_reported_values)
    reasons.need(outcome.time_column, "time")
    reasons.need(outcome.event_column, "event status")
    time = pd.to_numeric(cases[outcome.time_column], errors="coerce") * outcome.time_factor
    reasons.add(time < 0, f"time negative ({outcome.time_column})")
    frame = pd.DataFrame(
        {
            key: cases[key],
            "time": time,
            "event": as_event(cases[outcome.event_column], outcome.event_values),
        }
    )
    order, group = grouping(outcome, cases, reasons, frame)
    usable = reasons.usable(frame, key)
    columns = {
        "time": {
            "column": outcome.time_column,
            "unit": outcome.unit,
            "shown_in": outcome.show_in,
            "factor": outcome.time_factor,
        },
        "event": {
            "column": outcome.event_column,
            "values": list(outcome.event_values),
            "censored": "every other reported value (censored at the time given)",
        },
        "group": group,
    }
    present = set(usable.frame["group"]) if "group" in usable.frame else set()
    estimates = kaplan_meier(usable.frame, [g for g in order if g in present])
    return usable, columns, estimates


def compare(outcome: Outcome, cases, key, settings, types):
    reasons = Reasons(cases, settings.not_reported_values)
    column = outcome.outcome_column
    reasons.need(column, "outcome")
    frame = pd.DataFrame({key: cases[key]})
    if outcome.outcome_values:
        frame["outcome"] = as_event(cases[column], outcome.outcome_values)
    else:
        frame["outcome"] = cases[column]
    order, group = grouping(outcome, cases, reasons, frame)
    usable = reasons.usable(frame, key)
    used = usable.frame
    present = [g for g in order if g in set(used["group"])]
    columns = {
        "outcome": {"column": column, "values": list(outcome.outcome_values)},
        "group": group,
    }
    if types.get(column) in NUMBER_TYPES:
        estimates = numbers(used["outcome"].astype(float), used["group"], present, settings)
    else:
        table = pd.crosstab(used["group"], used["outcome"].map(text_of))
        table = table.reindex(index=present)
        table = table[sorted(table.columns, key=outcome_order)]
        estimates = fisher(table)
    return usable, columns, estimates


def text_of(value) -> str:
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    return str(value)


def outcome_order(value: str):
    """Columns of a Fisher table: true before false, else alphabetical."""
    return (0, "") if value == "true" else (1, "") if value == "false" else (2, value)


def firth(outcome: Outcome, cases, key, settings, types):
    reasons = Reasons(cases, settings.not_reported_values)
    column = outcome.outcome_column
    reasons.need(column, "outcome")
    predictors = list(dict.fromkeys([*outcome.predictors, *sum(outcome.models.values(), ())]))
    for predictor in predictors:
        reasons.need(predictor, "predictor")
    frame = pd.DataFrame({key: cases[key]})
    values = outcome.outcome_values or (True,)
    frame["outcome"] = as_event(cases[column], values)
    for predictor in predictors:
        frame[predictor] = cases[predictor].map(lambda v: float(v) if pd.notna(v) else None)
    usable = reasons.usable(frame, key)
    columns = {
        "outcome": {"column": column, "values": list(values)},
        "predictors": predictors,
        "models": {name: list(terms) for name, terms in outcome.models.items()},
        "rows_used": "patients with the outcome and every predictor reported (complete cases)",
    }
    estimates = firth_models(usable.frame, "outcome", list(outcome.predictors), outcome.models)
    return usable, columns, estimates
