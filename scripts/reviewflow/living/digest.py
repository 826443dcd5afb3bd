"""The update digest: what the search windows added since the last published version brought,
per window and database, as Markdown fit for a pull request description.

For each new window and database: the records identified, those removed as duplicates of records
of the same window or of earlier windows, those matching a study already included, and the new
records to screen (the unique records first found in that window), each with its title and where
screening stands. Inputs: results/search/records.tsv, results/dedup/duplicates.tsv and
unique_records.tsv, results/screening/screening_log.tsv (ARCHITECTURE.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from reviewflow.core.markup import markdown_code, markdown_text
from reviewflow.core.records import DATABASE_NAMES

STAGE_NAMES = {"title_abstract": "title/abstract", "full_text": "full text"}
DIGEST_COLUMNS = [
    "window",
    "source",
    "records",
    "duplicates_within_window",
    "duplicates_of_earlier_records",
    "matches_of_included_studies",
    "new_records_to_screen",
]


def read(path: str | Path) -> pd.DataFrame:
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def final_status(log: pd.DataFrame) -> dict[str, str]:
    """record id -> where screening stands: `pending`, or the last final decision (stage)."""
    status: dict[str, str] = {}
    finals = log[log["by"] == "final"] if "by" in log else log.iloc[0:0]
    for r in finals.itertuples():
        stage = STAGE_NAMES.get(r.stage, r.stage)
        if r.status == "decided":
            text = f"{r.decision}{': ' + r.reason if r.reason else ''} ({stage})"
        else:
            text = f"pending ({stage})"
        if r.stage == "full_text" or r.record_id not in status:  # full text decides last
            status[r.record_id] = text
    return status


def digest_counts(
    records: pd.DataFrame,
    duplicates: pd.DataFrame,
    unique: pd.DataFrame,
    windows: Sequence[str],
) -> pd.DataFrame:
    """One row per new window and database (DIGEST_COLUMNS)."""
    first_window = dict(zip(unique["record_id"], unique["first_window"], strict=True))
    member_of = {
        member: r.record_id
        for r in unique.itertuples()
        for member in str(r.member_ids).split(";")
        if member
    }
    matched = {
        r.record_id for r in unique.itertuples() if str(r.matches_included_study or "").strip()
    }
    record_window = dict(zip(records["record_id"], records["window"], strict=True))
    rows = []
    for window in windows:
        here = records[records["window"] == window]
        for source in dict.fromkeys(here["source_db"]):
            ids = set(here.loc[here["source_db"] == source, "record_id"])
            removed = duplicates[duplicates["record_id"].isin(ids)]
            into_window = removed["merged_into"].map(lambda m: record_window.get(m, ""))
            within = int((into_window == window).sum())
            earlier = int(((into_window != window) & ~removed["merged_into"].str.startswith(
                "study:")).sum())  # fmt: skip
            matches = sum(1 for i in ids if member_of.get(i) in matched)
            new = [
                i for i in ids if i in first_window and first_window[i] == window
                and i not in matched
            ]  # fmt: skip
            rows.append(
                dict(
                    window=window,
                    source=DATABASE_NAMES.get(source, source),
                    records=len(ids),
                    duplicates_within_window=within,
                    duplicates_of_earlier_records=earlier,
                    matches_of_included_studies=matches,
                    new_records_to_screen=len(new),
                )
            )
    return pd.DataFrame(rows, columns=DIGEST_COLUMNS)


def new_records(unique: pd.DataFrame, windows: Sequence[str]) -> pd.DataFrame:
    """The unique records first found in `windows` that match no included study."""
    keep = unique["first_window"].isin(windows) & (unique["matches_included_study"] == "")
    return unique.loc[keep, ["record_id", "first_window", "source_db", "title", "year", "journal"]]


def markdown(
    counts: pd.DataFrame,
    listed: pd.DataFrame,
    status: dict[str, str],
    *,
    since: str,
    windows: Sequence[str],
) -> str:
    """The digest as Markdown for a pull request description."""
    lines = ["# Search update digest", ""]
    if not windows:
        lines += [f"No search window since {since}: nothing new was searched.", ""]
        return "\n".join(lines)
    lines += [
        f"Search windows since {since}: {', '.join(f'`{w}`' for w in windows)}. "
        f"{int(counts['records'].sum())} records, {len(listed)} new to screen.",
        "",
        "| window | database | records | duplicates within the window | duplicates of earlier "
        "records | matches of included studies | new records to screen |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in counts.itertuples(index=False):
        lines.append(
            f"| `{r.window}` | {r.source} | {r.records} | {r.duplicates_within_window} | "
            f"{r.duplicates_of_earlier_records} | {r.matches_of_included_studies} | "
            f"{r.new_records_to_screen} |"
        )
    lines.append("")
    for window in windows:
        mine = listed[listed["first_window"] == window]
        lines += [f"## New records to screen, window `{window}` ({len(mine)})", ""]
        if mine.empty:
            lines += ["None.", ""]
            continue
        lines += ["| record | database | title | screening |", "|---|---|---|---|"]
        for r in mine.itertuples(index=False):
            title = markdown_text(r.title)
            if r.journal:
                title += f" ({markdown_text(r.journal)} {markdown_text(r.year)})"
            source = markdown_text(DATABASE_NAMES.get(r.source_db, r.source_db))
            where = status.get(r.record_id, "pending (title/abstract)")
            record = markdown_code(r.record_id)
            lines.append(f"| {record} | {source} | {title} | {markdown_text(where)} |")
        lines.append("")
    lines += [
        "Screen them in `results/screening/to_screen.xlsx` (see extraction/screening/README.md); "
        "the stored windows are in `resources/searches/`.",
        "",
    ]
    return "\n".join(lines)


def build_digest(
    *,
    records_path: str | Path,
    duplicates_path: str | Path,
    unique_path: str | Path,
    log_path: str | Path,
    windows: Sequence[str],
    since: str,
) -> tuple[pd.DataFrame, str]:
    """The digest's counts table and its Markdown for the windows `windows`."""
    records, unique = read(records_path), read(unique_path)
    counts = digest_counts(records, read(duplicates_path), unique, windows)
    listed = new_records(unique, windows)
    status = final_status(read(log_path))
    return counts, markdown(counts, listed, status, since=since, windows=windows)
