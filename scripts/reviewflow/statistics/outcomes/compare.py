"""An outcome compared between groups.

- Category (or flag) x group: Fisher's exact test. A 2 x 2 table gives the two-sided p (scipy
  `fisher_exact`), the conditional maximum-likelihood odds ratio and its exact 95% interval
  (scipy `contingency.odds_ratio(kind="conditional")`, as R's fisher.test). A larger r x c table
  gives a Monte Carlo p: scipy's `fisher_exact` with `MonteCarloMethod` (tables drawn with the
  observed margins by `random_table`; MONTE_CARLO_TABLES tables, fixed seed, so the same data
  always give the same p), and Cramer's V as the effect size.
- Number x group (two groups): the review's normality rule (settings.normality_rule: shapiro_wilk
  tests each group with Shapiro-Wilk at the alpha of config.yaml; mean_sd; median_iqr) picks
  Welch's t-test (effect: the difference of means with its 95% CI) or the Mann-Whitney U test
  (effect: the Hodges-Lehmann shift, the median of all pairwise differences, with its 95% CI from
  the order statistics of those differences at the normal approximation of U's distribution,
  Hollander and Wolfe; none when the groups are too small for it).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as scipy_stats

from reviewflow.statistics.analysis_file import Settings
from reviewflow.statistics.measures import shapiro

MONTE_CARLO_TABLES = 100_000
MONTE_CARLO_SEED = 20_240_601


def fisher(table: pd.DataFrame) -> dict:
    """Fisher's exact test on a contingency table (rows: groups, columns: outcome values)."""
    counts = table.to_numpy(dtype=int)
    result = {
        "table": [
            {"group": str(group), **{str(c): int(v) for c, v in row.items()}}
            for group, row in table.iterrows()
        ],
        "test": "",
        "p": None,
        "odds_ratio": None,
        "ci_lower": None,
        "ci_upper": None,
        "effect": None,
    }
    if counts.shape[0] < 2 or counts.shape[1] < 2:
        result["test"] = "not computed: fewer than two groups or two outcome values with patients"
        return result
    if counts.shape == (2, 2):
        p = scipy_stats.fisher_exact(counts).pvalue
        odds = scipy_stats.contingency.odds_ratio(counts, kind="conditional")
        interval = odds.confidence_interval(confidence_level=0.95)
        result.update(
            test="Fisher's exact test (2 x 2, two-sided); conditional ML odds ratio, exact 95% CI",
            p=float(p),
            odds_ratio=finite(odds.statistic),
            ci_lower=finite(interval.low),
            ci_upper=finite(interval.high),
            effect={"name": "odds ratio (first row and first column as reference cells)"},
        )
        return result
    method = scipy_stats.MonteCarloMethod(
        n_resamples=MONTE_CARLO_TABLES, rng=np.random.default_rng(MONTE_CARLO_SEED)
    )
    p = scipy_stats.fisher_exact(counts, method=method).pvalue
    chi2 = scipy_stats.chi2_contingency(counts, correction=False).statistic
    v = math.sqrt(chi2 / (counts.sum() * (min(counts.shape) - 1)))
    result.update(
        test=(
            f"Fisher's exact test ({counts.shape[0]} x {counts.shape[1]}), Monte Carlo p from "
            f"{MONTE_CARLO_TABLES:,} tables with the observed margins (seed {MONTE_CARLO_SEED})"
        ),
        p=float(p),
        effect={"name": "Cramer's V", "value": v},
    )
    return result


def finite(value: float) -> float | None:
    """A float, or None for an infinite or undefined value (JSON has neither)."""
    value = float(value)
    return value if math.isfinite(value) else None


def numbers(values: pd.Series, groups: pd.Series, order: list[str], settings: Settings) -> dict:
    """A number compared between two groups by the review's normality rule."""
    samples = [values[groups == g].to_numpy(dtype=float) for g in order]
    result = {
        "groups": [
            {"group": g, "n": int(len(s)), "mean": stat(np.mean, s), "median": stat(np.median, s)}
            for g, s in zip(order, samples, strict=True)
        ],
        "test": "",
        "p": None,
        "effect": None,
        "normality": [],
    }
    if len(order) != 2 or any(len(s) < 2 for s in samples):
        result["test"] = "not computed: two groups of at least two patients are needed"
        return result
    normal, notes = normality(samples, order, settings)
    result["normality"] = notes
    result.update(welch(*samples) if normal else mann_whitney(*samples))
    return result


def stat(function, sample: np.ndarray) -> float | None:
    return float(function(sample)) if len(sample) else None


def normality(samples, order, settings: Settings) -> tuple[bool, list[dict]]:
    """Whether the review's rule reads the groups as normal, with each group's Shapiro-Wilk."""
    notes = []
    for group, sample in zip(order, samples, strict=True):
        w, p = shapiro(sample) if len(sample) >= 3 else (None, None)
        notes.append({"group": group, "shapiro_w": w, "shapiro_p": p})
    if settings.normality_rule == "mean_sd":
        return True, notes
    if settings.normality_rule == "median_iqr":
        return False, notes
    normal = all(n["shapiro_p"] is not None and n["shapiro_p"] >= settings.normality_alpha
                 for n in notes)  # fmt: skip
    return normal, notes


def welch(first: np.ndarray, second: np.ndarray) -> dict:
    """Welch's t-test; the difference of means (first - second) with its 95% CI."""
    test = scipy_stats.ttest_ind(first, second, equal_var=False)
    interval = test.confidence_interval(0.95)
    return {
        "test": "Welch's t-test (two-sided; the groups read as normal)",
        "p": float(test.pvalue),
        "effect": {
            "name": "difference of means (first group - second)",
            "value": float(np.mean(first) - np.mean(second)),
            "ci_lower": float(interval.low),
            "ci_upper": float(interval.high),
        },
    }


def mann_whitney(first: np.ndarray, second: np.ndarray) -> dict:
    """Mann-Whitney U (two-sided); the Hodges-Lehmann shift (first - second) with its 95% CI."""
    test = scipy_stats.mannwhitneyu(first, second, alternative="two-sided")
    differences = np.sort(np.subtract.outer(first, second).ravel())
    m, n = len(first), len(second)
    spread = scipy_stats.norm.ppf(0.975) * math.sqrt(m * n * (m + n + 1) / 12)
    c = int(math.floor(m * n / 2 - spread))  # the c-th smallest and largest difference
    lower = differences[c - 1] if c >= 1 else None
    upper = differences[m * n - c] if c >= 1 else None
    return {
        "test": "Mann-Whitney U test (two-sided; the groups not read as normal)",
        "p": float(test.pvalue),
        "statistic": float(test.statistic),
        "effect": {
            "name": "Hodges-Lehmann shift (first group - second)",
            "value": float(np.median(differences)),
            "ci_lower": None if lower is None else float(lower),
            "ci_upper": None if upper is None else float(upper),
        },
    }
