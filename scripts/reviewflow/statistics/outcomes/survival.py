"""Time to event: Kaplan-Meier estimates with pointwise 95% confidence intervals, medians with
their intervals, and the log-rank test between groups (statsmodels' SurvfuncRight and survdiff).

- Survival: the product-limit estimate; its variance by Greenwood's formula (statsmodels).
- Pointwise 95% interval: on the log(-log S) scale ("log-log", the default of Stata and of
  lifelines, `conf.type = "log-log"` in R's survival): S ** exp(+-1.96 se / |log S|), with se the
  Greenwood standard error of log S. It is undefined where S is 1 or 0 (null).
- Median: the first time at which S <= 0.5; its interval runs from the first time at which the
  lower limit is <= 0.5 to the first at which the upper limit is (Brookmeyer and Crowley's
  construction, as R's survfit does); null when not reached.
- Log-rank: the chi-square test of equal survival across groups (Mantel-Haenszel weights).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd

CI_METHOD = (
    "Kaplan-Meier (product-limit) estimate; pointwise 95% CI on the log(-log S) scale with "
    "Greenwood's variance (statsmodels SurvfuncRight); median CI where the CI limits cross 0.5 "
    "(Brookmeyer-Crowley, as R survfit); log-rank test (statsmodels survdiff)"
)


def km_rows(times: np.ndarray, events: np.ndarray, group: str) -> list[dict]:
    """One row per distinct time of `times` (event or censoring), in order: at risk just before
    it, events, censored, survival after it and its 95% interval."""
    times, events = np.asarray(times, dtype=float), np.asarray(events, dtype=bool)
    steps = step_function(times, events)
    rows = []
    for t in np.unique(times):
        at = times == t
        survival, se_log = steps(t)
        lower, upper = loglog_interval(survival, se_log)
        rows.append(
            {
                "group": group,
                "time": float(t),
                "at_risk": int((times >= t).sum()),
                "events": int((at & events).sum()),
                "censored": int((at & ~events).sum()),
                "survival": survival,
                "ci_lower": lower,
                "ci_upper": upper,
            }
        )
    return rows


@lru_cache(maxsize=1)
def z95() -> float:
    """The standard normal's 97.5% quantile. scipy (like statsmodels below) is imported where it
    is used: a review without a survival analysis does not pay for it."""
    from scipy import stats as scipy_stats

    return float(scipy_stats.norm.ppf(0.975))


def step_function(times: np.ndarray, events: np.ndarray):
    """t -> (S(t), Greenwood standard error of log S(t)), from statsmodels' estimate."""
    from statsmodels.duration.survfunc import SurvfuncRight  # only where a survival is estimated

    if not events.any():
        return lambda t: (1.0, 0.0)
    fit = SurvfuncRight(times, events.astype(int))
    event_times = np.asarray(fit.surv_times, dtype=float)
    survival = np.asarray(fit.surv_prob, dtype=float)
    se = np.asarray(fit.surv_prob_se, dtype=float)

    def at(t: float) -> tuple[float, float]:
        i = int(np.searchsorted(event_times, t, side="right")) - 1
        if i < 0:
            return 1.0, 0.0
        s = float(survival[i])
        return s, (float(se[i]) / s if s > 0 else math.inf)

    return at


def loglog_interval(survival: float, se_log: float) -> tuple[float | None, float | None]:
    """The 95% interval of S on the log(-log S) scale; (None, None) where S is 1 or 0."""
    if survival <= 0 or survival >= 1 or not math.isfinite(se_log):
        return None, None
    spread = z95() * se_log / abs(math.log(survival))
    return survival ** math.exp(spread), survival ** math.exp(-spread)


def median_of(rows: list[dict]) -> dict:
    """The median time and its 95% interval from one group's rows (null: not reached)."""

    def first(values) -> float | None:
        for row, value in zip(rows, values, strict=True):
            if value is not None and value <= 0.5:
                return row["time"]
        return None

    def limit(row: dict, key: str) -> float | None:
        if row[key] is not None:
            return row[key]
        return 0.0 if row["survival"] <= 0 else None

    return {
        "group": rows[0]["group"] if rows else "",
        "median": first([r["survival"] for r in rows]),
        "ci_lower": first([limit(r, "ci_lower") for r in rows]),
        "ci_upper": first([limit(r, "ci_upper") for r in rows]),
    }


def log_rank(frame: pd.DataFrame) -> dict | None:
    """The log-rank chi-square, its degrees of freedom and p between the groups of `frame`
    (columns time, event, group); None with fewer than two groups."""
    from statsmodels.duration.survfunc import survdiff  # only where groups are compared

    groups = frame["group"].unique()
    if len(groups) < 2:
        return None
    statistic, p = survdiff(
        frame["time"].to_numpy(float),
        frame["event"].to_numpy(int),
        frame["group"].astype(str).to_numpy(),
    )
    return {"statistic": float(statistic), "df": int(len(groups) - 1), "p": float(p)}


def kaplan_meier(frame: pd.DataFrame, order: list[str]) -> dict:
    """The estimates of the contract: `table` rows per group (all patients as one group when
    `order` is empty), `median` per group, `log_rank` (null with one group)."""
    table, medians = [], []
    groups = [(g, frame[frame["group"] == g]) for g in order] if order else [("all", frame)]
    for label, part in groups:
        if part.empty:
            continue
        rows = km_rows(part["time"].to_numpy(), part["event"].to_numpy(), label)
        table.extend(rows)
        medians.append(median_of(rows))
    return {
        "method": CI_METHOD,
        "table": table,
        "median": medians,
        "log_rank": log_rank(frame) if order else None,
    }
