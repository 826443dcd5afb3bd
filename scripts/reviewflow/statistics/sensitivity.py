"""Sensitivity analyses: which patients each declared analysis keeps (config/analysis.yaml,
`sensitivity`), and why the others are left out.

- `drop_possible_duplicates`: quality checks list, per patient, the patients it may duplicate
  (`;`-joined ids). Linked patients form a group; the earliest published one (lowest year; on a
  tie, the first row of the dataset) is kept, the later reports are left out.
- `exclude_studies_judged`: the patients of studies whose overall appraisal judgement is one of
  the listed labels are left out (the appraisal's study_quality.tsv: study_id, judgement,
  reason). With no appraisal (file absent and declared optional, or every study `not_appraised`)
  every patient is kept and the note says so.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reviewflow.core.errors import raise_if_any
from reviewflow.statistics.analysis_file import Sensitivity

NOT_APPRAISED = "not_appraised"
QUALITY_COLUMNS = ["study_id", "judgement", "reason"]


@dataclass(frozen=True)
class Subset:
    """The patients one sensitivity analysis keeps (`keep`, aligned with the dataset's rows)."""

    name: str
    label: str
    keep: pd.Series
    note: str
    caveat: str = ""  # why the analysis could not leave anyone out (e.g. no appraisal exists)

    @property
    def n(self) -> int:
        return int(self.keep.sum())

    @property
    def header(self) -> str:
        """The column's heading: its label, n, and the caveat when there is one."""
        return f"{self.label} (n = {self.n}{'; ' + self.caveat if self.caveat else ''})"


def subsets(
    cases: pd.DataFrame, analyses: tuple[Sensitivity, ...], source: str = "cases.csv"
) -> list[Subset]:
    """One `Subset` per declared analysis, in order; raises `InputProblems` for bad inputs."""
    result = []
    for analysis in analyses:
        caveat = ""
        if analysis.duplicates_column:
            keep, note = without_duplicates(cases, analysis, source)
        elif analysis.exclude_judged:
            keep, note, caveat = without_studies_judged(cases, analysis)
        else:
            keep, note = pd.Series(True, index=cases.index), "every patient"
        result.append(Subset(analysis.name, analysis.label, keep, note, caveat))
    return result


def without_duplicates(
    cases: pd.DataFrame, analysis: Sensitivity, source: str
) -> tuple[pd.Series, str]:
    """Keep one patient per group of possible duplicates: the earliest published."""
    ids = cases["case_id"].astype(str).tolist()
    position = {case_id: i for i, case_id in enumerate(ids)}
    parent = list(range(len(ids)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    problems = []
    column = analysis.duplicates_column
    for i, text in enumerate(cases[column].fillna("").astype(str)):
        for other in (part.strip() for part in text.split(";")):
            if not other:
                continue
            if other not in position:
                problems.append(
                    f"line {i + 2}, column {column}: {other!r}: no such case_id "
                    "(must list case_ids of the dataset)"
                )
                continue
            parent[root(i)] = root(position[other])
    raise_if_any(source, problems)
    groups: dict[int, list[int]] = {}
    for i in range(len(ids)):
        groups.setdefault(root(i), []).append(i)
    years = pd.to_numeric(cases[analysis.year_column], errors="coerce").tolist()
    keep = pd.Series(True, index=cases.index)
    dropped = []
    for members in groups.values():
        if len(members) < 2:
            continue
        order = sorted(members, key=lambda i: (pd.isna(years[i]), years[i], i))
        kept = order[0]
        for i in order[1:]:
            keep.iloc[i] = False
            dropped.append(
                f"{ids[i]} ({year_text(years[i])}; kept {ids[kept]}, {year_text(years[kept])})"
            )
    if not dropped:
        return keep, "no possible duplicate patients: every patient"
    return keep, "left out, as later reports of a patient kept: " + ", ".join(sorted(dropped))


def year_text(year) -> str:
    return "year not reported" if pd.isna(year) else f"{int(year)}"


def read_study_quality(path: str | os.PathLike) -> pd.DataFrame:
    """The appraisal's study_quality.tsv (contract C5); raises `InputProblems` when malformed."""
    try:
        frame = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise_if_any(str(path), [f"{path}: cannot read the appraisal table: {error}"])
    missing = [c for c in QUALITY_COLUMNS if c not in frame.columns]
    raise_if_any(
        str(path),
        [f"{path}: missing column(s) {', '.join(missing)}: needs {', '.join(QUALITY_COLUMNS)}"]
        if missing
        else [],
    )
    return frame


def without_studies_judged(
    cases: pd.DataFrame, analysis: Sensitivity
) -> tuple[pd.Series, str, str]:
    """Leave out the patients of studies judged as one of `exclude_judged`; returns the patients
    kept, a note, and a caveat when no appraisal exists."""
    everyone = pd.Series(True, index=cases.index)
    path = analysis.study_quality
    caveat = "no appraisal exists"
    if not Path(path).exists():
        if analysis.study_quality_optional:
            return everyone, f"no appraisal exists ({path} absent): every patient", caveat
        raise_if_any(path, [f"{path}: file not found (declared required in the analysis file)"])
    quality = read_study_quality(path)
    judged = quality[quality["judgement"] != NOT_APPRAISED]
    if judged.empty:
        n = quality["study_id"].nunique()
        note = f"no appraisal exists (all {n} studies not_appraised): every patient"
        return everyone, note, caveat
    judgement = quality.drop_duplicates("study_id").set_index("study_id")["judgement"]
    study = cases[analysis.study_column].astype(str)
    excluded = study.map(judgement).isin(analysis.exclude_judged)
    unknown = sorted(set(study) - set(judgement.index))
    studies = sorted(set(study[excluded]))
    note = (
        f"left out {int(excluded.sum())} patients of {len(studies)} studies judged "
        f"{' or '.join(analysis.exclude_judged)}" + (f" ({', '.join(studies)})" if studies else "")
    )
    if unknown:
        note += f"; not in the appraisal (kept): {', '.join(unknown)}"
    return ~excluded, note, ""


# ---------------------------------------------------------------------------------- columns


def with_subset_columns(
    table: Callable[[pd.DataFrame], pd.DataFrame],
    cases: pd.DataFrame,
    found: list[Subset],
    key: list[str],
) -> pd.DataFrame:
    """`table(cases)` with, per subset, `n_reported_<name>` and `value_<name>`: the same table
    computed over the subset's patients, joined on the `key` columns."""
    frame = table(cases)
    for subset in found:
        part = table(cases[subset.keep.to_numpy()].reset_index(drop=True))
        part = part[[*key, "n_reported", "value"]].rename(
            columns={"n_reported": f"n_reported_{subset.name}", "value": f"value_{subset.name}"}
        )
        frame = frame.merge(part, on=key, how="left", validate="one_to_one")
    return frame


def moves(frame: pd.DataFrame, subset: Subset, label: Callable[[pd.Series], str]) -> list[str]:
    """How the figures move without the subset's left-out patients: one line per row whose value
    or (for a summary, whose text does not show it) whose reported count changes."""
    lines = []
    for _, row in frame.iterrows():
        value, n = row[f"value_{subset.name}"], row[f"n_reported_{subset.name}"]
        n_moves = not same(n, row["n_reported"]) and "/" not in str(value)  # n/N shows it
        if value == row["value"] and not n_moves:
            continue
        change = f"{row['value']} → {value}" if value != row["value"] else f"{value} (unchanged)"
        if n_moves:
            change += f" (reported {cell(row['n_reported'])} → {cell(n)})"
        lines.append(f"{label(row)}: {change}")
    return lines


def same(a, b) -> bool:
    return (pd.isna(a) and pd.isna(b)) or (not pd.isna(a) and not pd.isna(b) and a == b)


def cell(value) -> str:
    return "" if pd.isna(value) else str(value)


def sensitivity_markdown(
    frame: pd.DataFrame, found: list[Subset], n_total: int, label: Callable[[pd.Series], str]
) -> list[str]:
    """The Markdown section that says, per analysis, who is left out and which figures move."""
    if not found:
        return []
    lines = ["", "## Sensitivity analyses", ""]
    for subset in found:
        lines.append(f"**{subset.label}** (n = {subset.n} of {n_total}): {subset.note}.")
        lines.append("")
        changed = moves(frame, subset, label)
        if subset.n == n_total:
            lines.append("No patient left out: the figures are those of all patients.")
        elif not changed:
            lines.append("No row changes.")
        else:
            lines.append(f"Rows that change ({len(changed)} of {len(frame)}):")
            lines.append("")
            lines += [f"- {line}" for line in changed]
        lines.append("")
    return lines[:-1]


def subsets_frame(found: list[Subset], n_total: int) -> pd.DataFrame:
    """One row per analysis: name, label, n, n_total, note (a sheet of the .xlsx tables)."""
    rows = [
        {"name": s.name, "label": s.label, "n": s.n, "n_total": n_total, "note": s.note}
        for s in found
    ]
    return pd.DataFrame(rows, columns=["name", "label", "n", "n_total", "note"])
