"""Agreement between two reviewers: raw agreement and Cohen's kappa.

Cohen's kappa compares the observed agreement p_o with the agreement expected by chance from each
reviewer's own category frequencies, p_e = sum over categories of p_a(c) * p_b(c):
kappa = (p_o - p_e) / (1 - p_e). When both reviewers used one and the same category for every
record, p_e = 1 and kappa is undefined (returned as None, written as null), although the raw
agreement is 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Agreement:
    """Agreement of one pair of raters (or of pooled pairs) over the records both rated."""

    records: int  # records rated by both
    agreed: int  # records on which they gave the same category
    raw_agreement: float | None  # agreed / records; None when records == 0
    kappa: float | None  # Cohen's kappa; None when undefined

    def as_dict(self, digits: int = 4) -> dict:
        data = asdict(self)
        for key in ("raw_agreement", "kappa"):
            if data[key] is not None:
                data[key] = round(data[key], digits)
        return data


def cohen_kappa(pairs: Iterable[tuple[str, str]]) -> Agreement:
    """Cohen's kappa of `pairs`: one (rater A's category, rater B's category) per record."""
    pairs = list(pairs)
    n = len(pairs)
    if n == 0:
        return Agreement(records=0, agreed=0, raw_agreement=None, kappa=None)
    agreed = sum(1 for a, b in pairs if a == b)
    observed = agreed / n
    counts_a = Counter(a for a, _ in pairs)
    counts_b = Counter(b for _, b in pairs)
    expected = sum(counts_a[c] * counts_b[c] for c in counts_a) / (n * n)
    kappa = None if expected == 1 else (observed - expected) / (1 - expected)
    return Agreement(records=n, agreed=agreed, raw_agreement=observed, kappa=kappa)
