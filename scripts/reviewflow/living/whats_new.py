"""What's new: the build compared with the last published version of the review (versions/v<N>/).

One long table (`results/living/whats_new.tsv`), one row per thing compared, with the columns
WHATS_NEW_COLUMNS:
- `part`: `records` (per window and database: records identified, from search_counts.json),
  `record` (a record added or removed), `study`, `patient` (added or removed), `cell` (a value of
  the extraction workbook changed for a patient of the version: results/extraction/cases.tsv),
  `dataset` (a value of results/dataset/cases.csv changed for such a patient), `descriptive`
  (every statistic of results/statistics/descriptive.tsv, when the version and the build have
  it), `summary` (every result of summary.tsv), `reconciliation` (every reconciled figure);
- `window`, `source`: where a record, study or patient came from (the search window and database
  of the record through which the study was included; empty when unknown);
- `key`: the row's id (record id, study id, case id, item, `variable|category`); `field`: the
  column or a label; `before` / `after`: the values (empty: absent); `change`: `new`, `removed`,
  `changed` or `unchanged`.
The Markdown (and its HTML page) says the same for readers: counts first, then each change, then
the unchanged figures.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from reviewflow.core.io import read_table as read_generated_table
from reviewflow.core.markup import markdown_text
from reviewflow.core.records import DATABASE_NAMES

WHATS_NEW_COLUMNS = ["part", "window", "source", "key", "field", "before", "after", "change"]
CHANGES = ("new", "removed", "changed")


@dataclass(frozen=True)
class Snapshot:
    """The files compared, of a published version or of the build (None: the file is absent)."""

    label: str
    cases: Path | None
    cases_raw: Path | None
    studies: Path | None
    summary: Path | None
    reconciliation: Path | None
    descriptive: Path | None
    search_counts: Path | None
    records: Path | None


def version_snapshot(folder: str | Path) -> Snapshot:
    """The files of a published version folder."""
    folder = Path(folder)

    def part(name: str) -> Path | None:
        path = folder / name
        return path if path.is_file() else None

    return Snapshot(
        label=f"version {folder.name[1:]}",
        cases=part("cases.csv"),
        cases_raw=part("cases_raw.tsv"),
        studies=part("studies.tsv"),
        summary=part("summary.tsv"),
        reconciliation=part("reconciliation.tsv"),
        descriptive=part("descriptive.tsv"),
        search_counts=part("search_counts.json"),
        records=part("records.tsv"),
    )


def read_table(path: Path | None) -> pd.DataFrame:
    """A table of a version or of this build; none (an optional part) reads as empty."""
    return pd.DataFrame() if path is None else read_generated_table(path)


def row(part, key, field, before, after, window="", source="") -> dict[str, str]:
    before, after = str(before), str(after)
    source = DATABASE_NAMES.get(source, source)
    if before == after:
        change = "unchanged"
    elif before == "":
        change = "new"
    elif after == "":
        change = "removed"
    else:
        change = "changed"
    return dict(
        part=part,
        window=window,
        source=source,
        key=str(key),
        field=str(field),
        before=before,
        after=after,
        change=change,
    )


# ------------------------------------------------------------------------- records and studies


def database_counts(path: Path | None) -> dict[tuple[str, str], str]:
    """(window, database) -> records identified ('' when not searched or not reported)."""
    if path is None:
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    counts = {}
    for window in data.get("windows", []):
        for database, n in window.get("databases", {}).items():
            counts[(window["window"], database)] = "" if n is None else str(n)
    return counts


def compare_record_counts(before: Snapshot, after: Snapshot) -> list[dict]:
    old, new = database_counts(before.search_counts), database_counts(after.search_counts)
    keys = list(old) + [k for k in new if k not in old]
    return [
        row("records", "", "records identified", old.get(k, ""), new.get(k, ""), *k)
        for k in keys
        if old.get(k, "") or new.get(k, "")
    ]


def compare_records(before: Snapshot, after: Snapshot) -> list[dict]:
    old, new = read_table(before.records), read_table(after.records)
    old_ids = set(old["record_id"]) if "record_id" in old else set()
    new_ids = set(new["record_id"]) if "record_id" in new else set()
    rows = []
    for frame, ids, side in ((new, new_ids - old_ids, "after"), (old, old_ids - new_ids, "before")):
        for record in frame[frame["record_id"].isin(ids)].itertuples() if ids else []:
            values = {"before": "", "after": ""}
            values[side] = record.title
            rows.append(
                row(
                    "record",
                    record.record_id,
                    "title",
                    values["before"],
                    values["after"],
                    record.window,
                    record.source_db,
                )  # fmt: skip
            )
    return rows


def study_origins(unique_records: Path | None) -> dict[str, tuple[str, str]]:
    """study id -> (window, database) of the unique record matching it."""
    frame = read_table(unique_records)
    if frame.empty or "matches_included_study" not in frame:
        return {}
    origins = {}
    for record in frame.itertuples():
        for study in filter(None, str(record.matches_included_study).split(";")):
            origins.setdefault(study, (record.first_window, record.source_db))
    return origins


def study_text(study: Mapping) -> str:
    parts = [study.get("first_author", ""), study.get("year", ""), study.get("title", "")]
    return ", ".join(p for p in parts if p)


def compare_rows(
    part: str,
    id_column: str,
    before: str,
    after: str,
    describe: Callable[[Mapping], str],
    origin: Callable[[Mapping], tuple[str, str]],
) -> list[dict]:
    """Rows (studies or patients) new in `after` (with the window and source they came from) or
    removed from `before`, keyed on `id_column`, each described by `describe`."""
    old = read_table(before).set_index(id_column, drop=False)
    new = read_table(after).set_index(id_column, drop=False)
    rows = []
    for key in new.index.difference(old.index, sort=False):
        window, source = origin(new.loc[key])
        rows.append(row(part, key, part, "", describe(new.loc[key]), window, source))
    for key in old.index.difference(new.index, sort=False):
        rows.append(row(part, key, part, describe(old.loc[key]), ""))
    return rows


def compare_studies(
    before: Snapshot, after: Snapshot, origins: Mapping[str, tuple[str, str]]
) -> list[dict]:
    return compare_rows(
        "study",
        "study_id",
        before.studies,
        after.studies,
        study_text,
        lambda study: origins.get(study["study_id"], ("", "")),
    )


def patient_text(case: Mapping) -> str:
    parts = [case.get("study_id", ""), case.get("first_author", ""), case.get("year", "")]
    return ", ".join(p for p in parts if p)


def compare_patients(
    before: Snapshot, after: Snapshot, origins: Mapping[str, tuple[str, str]]
) -> list[dict]:
    return compare_rows(
        "patient",
        "case_id",
        before.cases,
        after.cases,
        patient_text,
        lambda case: origins.get(case["study_id"], ("", "")),
    )


# ------------------------------------------------------------------------- cells of old patients


def compare_cells(old: pd.DataFrame, new: pd.DataFrame, part: str, id_column: str) -> list[dict]:
    """Values that changed for the rows present on both sides (`_cell` columns, which say where
    a value is, are not compared; the row's current cell is given in `field`)."""
    if old.empty or new.empty:
        return []
    old, new = old.set_index(id_column, drop=False), new.set_index(id_column, drop=False)
    columns = [c for c in new.columns if c in old.columns and not c.endswith("_cell")]
    cases = new.index.intersection(old.index, sort=False)
    # both sides' values aligned, compared at once (one Python comparison per cell, as `!=`
    # of two values: NaN differs from NaN); the changes in row order, then column order
    before = old.loc[cases, columns].to_numpy(dtype=object)
    after = new.loc[cases, columns].to_numpy(dtype=object)
    rows = []
    for i, j in zip(*np.nonzero(before != after), strict=True):
        case, column = cases[i], columns[j]
        cell = new.loc[case, f"{column}_cell"] if f"{column}_cell" in new else ""
        field = f"{column} ({cell})" if cell else column
        rows.append(row(part, case, field, before[i, j], after[i, j]))
    return rows


# ------------------------------------------------------------------------- figures


def compare_keyed(
    old: pd.DataFrame,
    new: pd.DataFrame,
    part: str,
    key: Sequence[str],
    label: str,
    show,
) -> list[dict]:
    """Every row of either table by `key`: `show(row)` before and after."""
    if old.empty and new.empty:
        return []

    def keyed(frame: pd.DataFrame) -> dict[str, pd.Series]:
        if frame.empty:
            return {}
        return {"|".join(r[k] for k in key).rstrip("|"): r for _, r in frame.iterrows()}

    old_rows, new_rows = keyed(old), keyed(new)
    rows = []
    for k in list(new_rows) + [k for k in old_rows if k not in new_rows]:
        either = new_rows.get(k, old_rows.get(k))
        before = show(old_rows[k]) if k in old_rows else ""
        after = show(new_rows[k]) if k in new_rows else ""
        rows.append(row(part, k, either.get(label, ""), before, after))
    return rows


def descriptive_long(frame: pd.DataFrame) -> pd.DataFrame:
    """The descriptive table with one row per statistic and analysis: the main `value`
    (analysis "") and each sensitivity analysis's `value_<name>` / `n_reported_<name>` (C3)."""
    if frame.empty:
        return frame
    analyses = [c.removeprefix("value_") for c in frame.columns if c.startswith("value_")]
    parts = [frame.assign(analysis="")]
    for name in analyses:
        part = frame.assign(
            analysis=name,
            value=frame[f"value_{name}"],
            n_reported=frame.get(f"n_reported_{name}", frame["n_reported"]),
            label=frame["label"] + f" [{name.replace('_', ' ')}]",
        )
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def show_descriptive(r: pd.Series) -> str:
    """The statistic and how many patients it counts (a statistic whose patients and value stay
    is unchanged, even when new patients who do not report it join the total)."""
    return f"{r['value']} (n = {r['n_reported']})"


def show_reconciliation(r: pd.Series) -> str:
    return f"{r['recomputed']} ({r['status']})"


def compare(
    before: Snapshot, after: Snapshot, unique_records: Path | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """The What's new table, and notes on what could not be compared."""
    origins = study_origins(unique_records)
    notes = []
    rows = compare_record_counts(before, after)
    rows += compare_records(before, after)
    rows += compare_studies(before, after, origins)
    rows += compare_patients(before, after, origins)
    for part, old, new in (
        ("cell", before.cases_raw, after.cases_raw),
        ("dataset", before.cases, after.cases),
    ):
        rows += compare_cells(read_table(old), read_table(new), part, "case_id")
    if before.descriptive is None or after.descriptive is None:
        missing = before.label if before.descriptive is None else after.label
        notes.append(
            f"The descriptive table (descriptive.tsv) is absent from {missing}: its statistics "
            "are not compared."
        )
    else:
        rows += compare_keyed(
            descriptive_long(read_table(before.descriptive)),
            descriptive_long(read_table(after.descriptive)),
            "descriptive", ("variable", "category", "analysis"), "label", show_descriptive,
        )  # fmt: skip
    rows += compare_keyed(
        read_table(before.summary), read_table(after.summary), "summary", ("item",),
        "description", lambda r: r["text"],
    )  # fmt: skip
    rows += compare_keyed(
        read_table(before.reconciliation), read_table(after.reconciliation), "reconciliation",
        ("item",), "wording", show_reconciliation,
    )  # fmt: skip
    return pd.DataFrame(rows, columns=WHATS_NEW_COLUMNS), notes


# ------------------------------------------------------------------------- Markdown


PART_TITLES = {
    "record": "Records added or removed",
    "study": "Studies added or removed",
    "patient": "Patients added or removed",
    "cell": "Corrected cells of patients already included (extraction workbook)",
    "dataset": "Changed values of patients already included (dataset)",
    "descriptive": "Descriptive statistics",
    "summary": "Results (summary)",
    "reconciliation": "Reconciled figures",
}
FIGURE_PARTS = ("descriptive", "summary", "reconciliation")


def md_table(frame: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    for r in frame.itertuples(index=False):
        lines.append("| " + " | ".join(markdown_text(getattr(r, c)) for c in columns) + " |")
    return lines


def count_line(table: pd.DataFrame, part: str) -> str:
    rows = table[table["part"] == part]
    new, removed = (rows["change"] == "new").sum(), (rows["change"] == "removed").sum()
    return f"{new} new, {removed} removed"


def markdown(
    table: pd.DataFrame, notes: Sequence[str], *, previous: str, current: str, title: str = ""
) -> str:
    """What's new as Markdown (see the module docstring)."""
    changed = table[table["change"].isin(CHANGES)]
    lines = [f"# What's new{': ' + title if title else ''}", ""]
    lines += [f"Compared: **{current}** with **{previous}**.", ""]
    if changed.empty:
        lines += [f"**Nothing new** since {previous}: no record, study, patient, cell or figure "
                  "changed.", ""]  # fmt: skip
    else:
        lines += [
            f"- Records: {count_line(table, 'record')}",
            f"- Studies: {count_line(table, 'study')}",
            f"- Patients: {count_line(table, 'patient')}",
            f"- Corrected cells of patients already included: {(table['part'] == 'cell').sum()}",
        ]
        for part in FIGURE_PARTS:
            rows = table[table["part"] == part]
            if not rows.empty:
                n = rows["change"].isin(CHANGES).sum()
                lines.append(f"- {PART_TITLES[part]}: {n} changed of {len(rows)}")
        lines.append("")
    lines += notes_lines(notes)
    counts = table[table["part"] == "records"]
    if not counts.empty:
        lines += ["## Records identified per search window and database", ""]
        lines += md_table(counts, ["window", "source", "before", "after", "change"]) + [""]
    for part in ("record", "study", "patient", "cell", "dataset"):
        rows = table[table["part"] == part]
        if rows.empty:
            continue
        lines += [f"## {PART_TITLES[part]}", ""]
        columns = ["key", "field", "before", "after", "change"]
        if part in ("record", "study", "patient"):
            columns = ["key", "window", "source", "before", "after", "change"]
        lines += md_table(rows, columns) + [""]
    for part in FIGURE_PARTS:
        rows = table[table["part"] == part]
        if rows.empty:
            continue
        moved = rows[rows["change"].isin(CHANGES)]
        lines += [f"## {PART_TITLES[part]}", ""]
        if moved.empty:
            lines += [f"All {len(rows)} unchanged.", ""]
        else:
            lines += ["Changed:", ""] + md_table(moved, ["key", "field", "before", "after"])
            lines.append("")
        same = rows[rows["change"] == "unchanged"]
        if not same.empty and not moved.empty:
            lines += [f"Unchanged ({len(same)}):", ""]
            lines += md_table(same, ["key", "field", "after"]) + [""]
    return "\n".join(lines).rstrip() + "\n"


def notes_lines(notes: Sequence[str]) -> list[str]:
    return [*(f"> {note}" for note in notes), ""] if notes else []


def no_version_markdown(title: str = "") -> str:
    return (
        f"# What's new{': ' + title if title else ''}\n\n"
        "No version of the review is published yet (versions/): nothing to compare with. "
        "Publish version 1 with `reviewflow publish-version 1`.\n"
    )
