"""Statistics primitives of the review: proportions with their denominators, continuous summaries
chosen by a normality test, unit conversions (outliers and thresholds are tests of the condition
language, reviewflow.core.conditions).

Conventions (the source article's section 3, which used SPSS 26):
- a proportion leaves cases whose item is not reported out of its denominator and always shows it;
- a continuous variable is summarised as mean ± SD (sample SD) when Shapiro-Wilk does not reject
  normality at `normality_alpha`, else as median (Q1, Q3); both, with min-max, are always computed;
- quartiles use SPSS's default definition (weighted average at (n + 1)p), numpy's "weibull".
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

DAYS_PER_WEEK = 7


@dataclass(frozen=True)
class Settings:
    """The generic analysis choices, from the `statistics` section of config/config.yaml."""

    quantile_method: str = "weibull"  # numpy percentile method; weibull = SPSS's default
    normality_alpha: float = 0.05
    outlier_iqr_factor: float = 3.0  # SPSS box plots mark values beyond Q3 + 3 IQR as extreme

    @classmethod
    def from_config(cls, section: dict) -> Settings:
        known = {name for name in cls.__dataclass_fields__}
        return cls(**{key: value for key, value in section.items() if key in known})


# ---------------------------------------------------------------------------------- formatting


def round_half_up(value: float, decimals: int) -> float:
    """Round as people and SPSS do (0.125 -> 0.13), not to even."""
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def fmt(value: float | None, decimals: int = 2) -> str:
    """`value` with a fixed number of decimals, half-up; empty for a missing value."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return f"{round_half_up(float(value), decimals):.{decimals}f}"


# ---------------------------------------------------------------------------------- proportions


@dataclass(frozen=True)
class Proportion:
    """`n` of `denominator` cases; the denominator holds only cases where the item is reported."""

    n: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return 100 * self.n / self.denominator if self.denominator else None

    def text(self, decimals: int = 1) -> str:
        """As printed in the results, e.g. `40/53 (75.5%)`."""
        if not self.denominator:
            return f"{self.n}/0 (no denominator)"
        return f"{self.n}/{self.denominator} ({fmt(self.percent, decimals)}%)"


def proportion(flags: pd.Series) -> Proportion:
    """True values among the reported (non-missing) values of a boolean series."""
    known = flags.dropna()
    return Proportion(int(known.astype(bool).sum()), int(len(known)))


def proportion_where(mask: pd.Series, among: pd.Series) -> Proportion:
    """Cases where `mask` holds, among the cases where `among` holds (missing = False)."""
    among = among.fillna(False).astype(bool)
    mask = mask.fillna(False).astype(bool)
    return Proportion(int((mask & among).sum()), int(among.sum()))


# ---------------------------------------------------------------------------------- continuous


@dataclass(frozen=True)
class Continuous:
    """Summary of one continuous variable over its reported values."""

    n: int
    mean: float | None
    sd: float | None
    median: float | None
    q1: float | None
    q3: float | None
    minimum: float | None
    maximum: float | None
    shapiro_w: float | None
    shapiro_p: float | None
    alpha: float

    @property
    def normal(self) -> bool | None:
        """True when Shapiro-Wilk does not reject normality; None when it could not be run."""
        if self.shapiro_p is None:
            return None
        return self.shapiro_p >= self.alpha

    @property
    def summary_kind(self) -> str:
        return "mean ± SD" if self.normal else "median (Q1, Q3)"

    def text(self, decimals: int = 2) -> str:
        """`48.29 ± 14.77` when approximately normal, else `3.00 (0.50, 6.00)`."""
        if self.n == 0:
            return "no data"
        if self.normal:
            return f"{fmt(self.mean, decimals)} ± {fmt(self.sd, decimals)}"
        return f"{fmt(self.median, decimals)} ({fmt(self.q1, decimals)}, {fmt(self.q3, decimals)})"

    def range_text(self, decimals: int = 2) -> str:
        return f"{fmt(self.minimum, decimals)}–{fmt(self.maximum, decimals)}" if self.n else ""

    def normality_text(self) -> str:
        """How the summary was chosen, e.g. `Shapiro-Wilk W = 0.980, p = 0.482: normal`."""
        if self.shapiro_p is None:
            return f"Shapiro-Wilk not run (n = {self.n} < 3, or all values equal): median given"
        verdict = "approximately normal" if self.normal else f"not normal (p < {self.alpha})"
        return f"Shapiro-Wilk W = {fmt(self.shapiro_w, 3)}, {p_text(self.shapiro_p)}: {verdict}"


def p_text(p: float) -> str:
    """`p < 0.001` or `p = 0.482`."""
    return "p < 0.001" if p < 0.001 else f"p = {fmt(p, 3)}"


def shapiro(data: np.ndarray) -> tuple[float | None, float | None]:
    """Shapiro-Wilk W and p; (None, None) when scipy says its result is not reliable (values
    that differ only by rounding error: "range zero"). scipy is imported here, where it is used:
    the rules that never test normality (figures, reconciliation) do not pay for it."""
    from scipy import stats as scipy_stats

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = scipy_stats.shapiro(data)
    if caught:
        return None, None
    return float(result.statistic), float(result.pvalue)


def numeric(values: pd.Series | list) -> np.ndarray:
    """The reported values as floats (missing values dropped)."""
    if isinstance(values, pd.Series) and values.dtype.kind in "fi":  # numbers already: no parse
        data = values.to_numpy(dtype=float)
        return data[~np.isnan(data)]
    series = pd.to_numeric(pd.Series(values, dtype="object"), errors="raise")
    return series.dropna().to_numpy(dtype=float)


def quartiles(values: np.ndarray, method: str = "weibull") -> tuple[float, float, float]:
    q1, median, q3 = np.percentile(values, [25, 50, 75], method=method)
    return float(q1), float(median), float(q3)


def describe(
    values: pd.Series | list, *, alpha: float = 0.05, quantile_method: str = "weibull"
) -> Continuous:
    """Mean, sample SD, median, quartiles, min, max and Shapiro-Wilk of the reported values."""
    data = numeric(values)
    n = len(data)
    if n == 0:
        return Continuous(0, None, None, None, None, None, None, None, None, None, alpha)
    q1, median, q3 = quartiles(data, quantile_method)
    sd = float(np.std(data, ddof=1)) if n > 1 else None
    w = p = None
    if n >= 3 and np.ptp(data) > 0:
        w, p = shapiro(data)
    return Continuous(
        n=n,
        mean=float(np.mean(data)),
        sd=sd,
        median=median,
        q1=q1,
        q3=q3,
        minimum=float(np.min(data)),
        maximum=float(np.max(data)),
        shapiro_w=w,
        shapiro_p=p,
        alpha=alpha,
    )


# ---------------------------------------------------------------------------------- conversions


def weeks_to_months(weeks: pd.Series, days_per_month: float) -> pd.Series:
    """Weeks as months of `days_per_month` days (30.44: mean month; 28: a month of 4 weeks)."""
    return weeks * DAYS_PER_WEEK / days_per_month


def month_wording(days_per_month: float) -> str:
    if days_per_month == 4 * DAYS_PER_WEEK:
        return "a month taken as 4 weeks (28 days)"
    return f"a month taken as {days_per_month:g} days ({days_per_month / DAYS_PER_WEEK:.3f} weeks)"
