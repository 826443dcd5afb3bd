"""Which patients an outcome analysis can use, and why each other one is left out.

Every analysis starts from all patients; a patient is left out when a value the analysis needs is
not reported (empty, or one of the settings' not-reported values), with one reason per missing
value (`time not reported (follow_up_months)`, `group not reported (treatment)` ...). Nothing is
imputed: the usable-n table says how many patients each analysis used and who was left out.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from reviewflow.core.conditions import Context, evaluate
from reviewflow.statistics.analysis_file import reported
from reviewflow.statistics.outcomes.declared import GroupSpec


@dataclass(frozen=True)
class Usable:
    """The rows an analysis uses (`frame`, indexed like the dataset) and those it leaves out:
    `excluded` is a list of `{"case_id", "reasons"}`."""

    frame: pd.DataFrame
    excluded: list[dict]
    key: str

    @property
    def included(self) -> list[str]:
        return [str(v) for v in self.frame[self.key]]

    @property
    def n(self) -> int:
        return len(self.frame)


class Reasons:
    """Collects, per row, why it cannot be used."""

    def __init__(self, cases: pd.DataFrame, not_reported_values: tuple[str, ...]):
        self.cases = cases
        self.not_reported_values = not_reported_values
        self.by_row: dict = {index: [] for index in cases.index}

    def need(self, column: str, what: str) -> None:
        """Rows where `column` is not reported are left out: `<what> not reported (<column>)`."""
        known = reported(self.cases[column], self.not_reported_values)
        for index in known.index[~known]:
            self.by_row[index].append(f"{what} not reported ({column})")

    def add(self, mask: pd.Series, reason: pd.Series | str) -> None:
        for index in mask.index[mask]:
            text = reason if isinstance(reason, str) else reason[index]
            self.by_row[index].append(text)

    def usable(self, frame: pd.DataFrame, key: str) -> Usable:
        kept = [index for index, reasons in self.by_row.items() if not reasons]
        excluded = [
            {"case_id": str(self.cases.at[index, key]), "reasons": reasons}
            for index, reasons in self.by_row.items()
            if reasons
        ]
        return Usable(frame.loc[kept], excluded, key)


def value_text(value) -> str:
    """A value as the pages show it: flags as true/false."""
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    return str(value)


def group_labels(
    cases: pd.DataFrame, spec: GroupSpec, reasons: Reasons
) -> tuple[pd.Series, list[str]]:
    """Each row's group label and the groups in order; rows without a group get their reason."""
    if spec.conditions:
        hits = pd.DataFrame(
            {label: evaluate(c, cases, Context()) for label, c in spec.conditions.items()}
        )
        count = hits.sum(axis=1)
        reasons.add(count == 0, "in no declared group (" + ", ".join(spec.conditions) + ")")
        several = hits.apply(lambda row: ", ".join(row.index[row]), axis=1)
        reasons.add(count > 1, "in more than one group (" + several + ")")
        labels = hits.idxmax(axis=1).where(count == 1)
        return labels, list(spec.conditions)
    column = spec.column
    reasons.need(column, "group")
    values = cases[column]
    known = reported(values, reasons.not_reported_values)
    if spec.levels:
        outside = known & ~values.isin(list(spec.levels))
        reasons.add(outside, "group " + values.astype("string").fillna("") + " not compared")
        order = [value_text(v) for v in spec.levels]
    else:
        present = values[known].unique().tolist()
        flags = all(isinstance(v, bool) or type(v).__name__ == "bool_" for v in present)
        order = (
            [value_text(v) for v in (True, False) if v in present]
            if flags
            else sorted(map(value_text, present))
        )
    labels = values.map(lambda v: value_text(v) if pd.notna(v) else None)
    return labels.where(known), order


def as_event(values: pd.Series, events: tuple) -> pd.Series:
    """True where the value is one of the event values (flags compared as booleans)."""
    return values.map(lambda v: pd.notna(v) and any(v == e for e in events)).astype(bool)
