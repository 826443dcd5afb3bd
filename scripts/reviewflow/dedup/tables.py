"""The tables of the dedup stage: reading records (reviewflow's schema or the bib-dedupe
benchmark layout), the included studies and the reviewers' decisions; building
unique_records, duplicates, uncertain_pairs and the per-window counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from reviewflow.core.errors import InputProblems, raise_if_any
from reviewflow.core.io import read_table, write_table
from reviewflow.core.records import normalise_doi
from reviewflow.dedup.match import (
    DESCRIPTIVE_COLUMNS,
    IDENTIFIER_COLUMNS,
    RECORD_COLUMNS,
    STUDY_PREFIX,
    ContradictingDecisions,
    Result,
    deduplicate,
    duplicate_groups,
    evidence,
)
from reviewflow.dedup.prep import Rules, load_rules, normalise_identifier

# bib-dedupe benchmark layout -> reviewflow record schema
BENCHMARK_COLUMNS = {
    "ID": "record_id",
    "author": "authors",
    "number": "issue",
    "ENTRYTYPE": "publication_type",
}
DECISION_COLUMNS = ["record_id_1", "record_id_2", "decision", "reviewer", "note"]
DECISIONS = ("same", "different")
UNCERTAIN_COLUMNS = [
    "record_id_1", "record_id_2", "window", "reason", "title_similarity", "evidence",
    "title_1", "title_2", "authors_1", "authors_2", "year_1", "year_2", "journal_1",
    "journal_2", "volume_1", "volume_2", "pages_1", "pages_2", "doi_1", "doi_2",
]  # fmt: skip
RELATED_COLUMNS = [
    "record_id_1", "record_id_2", "relation", "title_similarity", "evidence",
    "matched_record_id_1", "matched_record_id_2", "title_1", "title_2", "authors_1", "authors_2",
    "year_1", "year_2", "journal_1", "journal_2", "doi_1", "doi_2",
]  # fmt: skip
RELATIONS = {"preprint": "preprint and published version"}
DUPLICATE_COLUMNS = [
    "record_id", "window", "merged_into", "matched_record_id", "stage", "evidence", "title",
]  # fmt: skip


def read_records(path: str | Path) -> pd.DataFrame:
    """Records in reviewflow's schema (`record_id`, ...) or in the bib-dedupe benchmark layout
    (`ID,ENTRYTYPE,title,year,author,journal,volume,number,pages[,doi,abstract]`), in UTF-8 or,
    when it is not UTF-8, latin-1 (older labelled sets)."""
    frame = read_table(path, encodings=("utf-8-sig", "latin-1"))
    records = to_record_schema(frame, str(path))
    records.attrs["encoding"] = frame.attrs["encoding"]
    return records


def to_record_schema(frame: pd.DataFrame, source: str) -> pd.DataFrame:
    if "record_id" not in frame.columns and "ID" in frame.columns:
        frame = frame.rename(columns=BENCHMARK_COLUMNS)
        if "issue" not in frame.columns:
            frame["issue"] = ""
        if "booktitle" in frame.columns:  # conference papers (bib-dedupe's special cases)
            journal = frame.get("journal", pd.Series("", index=frame.index))
            frame["journal"] = journal.where(journal != "", frame["booktitle"])
    problems = []
    if "record_id" not in frame.columns:
        problems.append(
            "no record_id column (nor ID): expected reviewflow's record schema or the "
            "benchmark layout ID,title,year,author,journal,volume,number,pages"
        )
    else:
        ids = frame["record_id"]
        for line in ids.index[ids.str.strip() == ""]:
            problems.append(f"line {line + 2}: empty record id")
        for line in ids.index[ids.duplicated() & (ids.str.strip() != "")]:
            problems.append(f"line {line + 2}: record id {ids[line]!r} appears more than once")
    raise_if_any(source, problems)
    for column in RECORD_COLUMNS:
        if column not in frame.columns:
            frame[column] = ""
    return frame


def studies_as_records(studies: pd.DataFrame) -> pd.DataFrame:
    """The included studies (`reviewflow.core.studies.read_studies`) as pseudo-records, so that a
    record matching one is known to be an included study."""
    frame = studies
    return pd.DataFrame(
        {
            "record_id": STUDY_PREFIX + frame["study_id"],
            "window": "",  # before every search window
            "title": frame["title"],
            "authors": frame["first_author"],
            "year": frame["year"],
            "journal": frame["journal"],
            "doi": frame["doi"],
            "pmid": frame["pmid"],
            "study_id": frame["study_id"],
        }
    )


def read_decisions(path: str | Path, known_ids: set[str]) -> tuple[list, list]:
    """The reviewers' decisions on uncertain pairs: ([same pairs], [different pairs])."""
    path = Path(path)
    frame = read_table(path)
    missing = [c for c in DECISION_COLUMNS[:3] if c not in frame.columns]
    raise_if_any(str(path), [f"missing column {c!r}" for c in missing])
    problems, same, different, seen = [], [], [], {}
    for index, row in frame.iterrows():
        line = index + 2
        a, b = row["record_id_1"].strip(), row["record_id_2"].strip()
        decision = row["decision"].strip().lower()
        if decision not in DECISIONS:
            problems.append(
                f"line {line}: decision {row['decision']!r} must be one of {', '.join(DECISIONS)}"
            )
        for column, value in (("record_id_1", a), ("record_id_2", b)):
            if value not in known_ids:
                problems.append(f"line {line}: {column} {value!r} is not a known record id")
        if a == b:
            problems.append(f"line {line}: a record paired with itself ({a!r})")
        pair = tuple(sorted((a, b)))
        if pair in seen and seen[pair][1] != decision:
            problems.append(
                f"line {line}: {a} / {b} is {decision!r} here but {seen[pair][1]!r} on line "
                f"{seen[pair][0]}"
            )
        seen.setdefault(pair, (line, decision))
        (same if decision == "same" else different).append(pair)
    raise_if_any(str(path), problems)
    return same, different


def contradiction(path: str | Path, error: ContradictingDecisions) -> str:
    """The two lines of the decisions file that contradict each other, located."""
    lines = {}  # (sorted pair, decision) -> first line
    for index, row in read_table(path).iterrows():
        pair = tuple(sorted((row["record_id_1"].strip(), row["record_id_2"].strip())))
        lines.setdefault((pair, row["decision"].strip().lower()), index + 2)
    (a, b), (x, y) = error.same, error.different
    same_line = lines.get((tuple(sorted((a, b))), "same"), "?")
    different_line = lines.get((tuple(sorted((x, y))), "different"), "?")
    return (
        f"line {same_line}: same {a} / {b} contradicts line {different_line}: different {x} / "
        f"{y}: joining {a} and {b} joins {x} and {y} (each is the same record as one of them, "
        "by matching or by other 'same' lines); correct one of the two lines"
    )


# ---- outputs -------------------------------------------------------------------------------


def _completeness(row: dict) -> tuple:
    filled = sum(1 for c in DESCRIPTIVE_COLUMNS if str(row.get(c, "")).strip())
    return (filled, len(str(row.get("abstract", ""))))


def _rows_by_id(records: pd.DataFrame) -> dict[str, dict]:
    frame = records.fillna("").astype(str)
    return {row["record_id"]: row for row in frame.to_dict("records")}


def unique_records(records: pd.DataFrame, result: Result) -> pd.DataFrame:
    """One row per cluster: the earliest record's id, the most complete member's fields, every
    member's identifiers; plus member_ids, first_window, matches_included_study."""
    p = result.prepared
    by_id = _rows_by_id(records)
    rows = []
    for group in result.clusters:
        study = next((p.studies[i] for i in group if p.studies[i]), "")
        members = [p.ids[i] for i in group if not p.studies[i] and p.ids[i] in by_id]
        if not members:
            continue  # an included study that matched no record
        member_rows = [by_id[i] for i in members]
        best = max(range(len(members)), key=lambda k: (_completeness(member_rows[k]), -k))
        row = {c: member_rows[best].get(c, "") for c in RECORD_COLUMNS}
        earliest = member_rows[0]
        for column in ("record_id", "window", "source_db", "source_file", "source_id"):
            row[column] = earliest.get(column, "")
        for column in IDENTIFIER_COLUMNS:  # every member's, each once
            values = [member_rows[best].get(column, "")] + [r.get(column, "") for r in member_rows]
            normalise = normalise_doi if column == "doi" else normalise_identifier
            distinct = {}
            for value in values:
                distinct.setdefault(normalise(value) or value.strip(), value.strip())
            kept = distinct.keys() if column == "doi" else distinct.values()
            row[column] = ";".join(v for v in kept if v)
        row["member_ids"] = ";".join(members)
        row["first_window"] = earliest.get("window", "")
        row["matches_included_study"] = study
        rows.append(row)
    columns = RECORD_COLUMNS + ["member_ids", "first_window", "matches_included_study"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["first_window", "record_id"], kind="stable").reset_index(drop=True)


def duplicates(records: pd.DataFrame, result: Result, rules: Rules | None = None) -> pd.DataFrame:
    """Every record merged into another: into which unique record, matched with which record,
    by which stage, on what evidence (walking each cluster's spanning tree from its earliest
    record). A unique record that matches an already included study gets a row too, merged
    into `study:<study_id>`, with the evidence of the match; it stays a unique record (not counted
    in `duplicates_removed`): screening decides whether it is screened again."""
    rules = rules or load_rules()
    p = result.prepared
    titles = dict(zip(records["record_id"], records["title"].fillna(""), strict=True))
    neighbours: dict[int, list[tuple[int, str]]] = {}
    for i, j, stage in result.edges:
        neighbours.setdefault(i, []).append((j, stage))
        neighbours.setdefault(j, []).append((i, stage))
    rows = []

    def row(removed: int, into: int, matched: int, other: int, stage: str) -> dict:
        return {
            "record_id": p.ids[removed],
            "window": p.windows[removed],
            "merged_into": p.ids[into],
            "matched_record_id": p.ids[matched],
            "stage": stage,
            "evidence": evidence(p, matched, other, rules),
            "title": titles.get(p.ids[removed], ""),
        }

    for group in result.clusters:
        real = [i for i in group if not p.studies[i]]
        if len(group) < 2 or not real:
            continue
        root = real[0]
        seen, queue = {root}, [root]
        while queue:
            node = queue.pop(0)
            for other, stage in sorted(neighbours.get(node, [])):
                if other in seen:
                    continue
                seen.add(other)
                queue.append(other)
                if p.studies[other]:
                    rows.append(row(root, other, node, other, stage))
                else:
                    rows.append(row(other, root, node, other, stage))
    frame = pd.DataFrame(rows, columns=DUPLICATE_COLUMNS)
    return frame.sort_values(["merged_into", "record_id"], kind="stable").reset_index(drop=True)


def uncertain_pairs(records: pd.DataFrame, result: Result, rules: Rules | None = None):
    """The pairs left for reviewers, with both records side by side and an empty `decision`
    column: copy a row's ids into extraction/dedup_decisions.tsv with same/different."""
    rules = rules or load_rules()
    p = result.prepared
    by_id = _rows_by_id(records)
    rows = []
    for v in result.uncertain:
        a, b = p.ids[v.i], p.ids[v.j]
        row = {
            "record_id_1": a,
            "record_id_2": b,
            "window": p.windows[v.j],
            "reason": v.reason,
            "title_similarity": round(v.score),
            "evidence": evidence(p, v.i, v.j, rules),
        }
        for suffix, record_id in (("1", a), ("2", b)):
            source = by_id.get(record_id, {})
            for field in ("title", "authors", "year", "journal", "volume", "pages", "doi"):
                row[f"{field}_{suffix}"] = source.get(field, "")
        rows.append(row)
    return pd.DataFrame(rows, columns=UNCERTAIN_COLUMNS)


def related_versions(records: pd.DataFrame, result: Result, rules: Rules | None = None):
    """related_versions.tsv: pairs of unique records that are versions of one work (a preprint
    and its published version), never merged: `record_id_1` (the preprint) and `record_id_2`
    are ids of unique_records.tsv (each cluster's earliest record), `matched_record_id_*` the
    records compared, with the evidence and both records' fields side by side."""
    rules = rules or load_rules()
    p = result.prepared
    by_id = _rows_by_id(records)
    unique_id = {}
    for group in result.clusters:
        real = [i for i in group if not p.studies[i]]
        for i in group:
            unique_id[i] = p.ids[real[0]] if real else ""
    rows = []
    for v in result.related:
        first, second = (v.i, v.j) if p.preprints[v.i] else (v.j, v.i)
        if not unique_id[first] or not unique_id[second]:
            continue  # an included study without a record of its own
        row = {
            "record_id_1": unique_id[first],
            "record_id_2": unique_id[second],
            "relation": RELATIONS[v.relation],
            "title_similarity": round(v.score),
            "evidence": evidence(p, first, second, rules),
            "matched_record_id_1": p.ids[first],
            "matched_record_id_2": p.ids[second],
        }
        for suffix, position in (("1", first), ("2", second)):
            source = by_id.get(p.ids[position], {})
            for field in ("title", "authors", "year", "journal", "doi"):
                row[f"{field}_{suffix}"] = source.get(field, "")
        rows.append(row)
    frame = pd.DataFrame(rows, columns=RELATED_COLUMNS)
    return frame.sort_values(["record_id_1", "record_id_2"], kind="stable").reset_index(drop=True)


def first_version_counts(first_version: dict) -> dict:
    """The v1 entry: what the first version of the review reported (config/first_version.yaml,
    as `reviewflow.core.first_version.read_first_version` gives it)."""
    records = first_version["search"]["records_total"]
    removed = first_version["dedup"]["duplicates_removed"]
    unique = records - removed if records is not None and removed is not None else None
    return {
        "window": "v1",
        "reported": True,
        "records": records,
        "duplicates_removed": removed,
        "duplicates_removed_within_window": None,
        "duplicates_removed_of_earlier_records": None,
        "unique_records": unique,
        "unique_records_matching_included_studies": None,
        "uncertain_pairs": None,
    }


def window_counts(result: Result, first_version: dict, windows: Sequence[str] = ()) -> dict:
    """dedup_counts.json: v1 as reported, then per stored window (`windows`: the search's
    windows, in its order; else those of the records, sorted): records, duplicates removed
    (within the window, of earlier windows' records), unique records (the rows of
    unique_records.tsv that the window found first), and how many of those match an included
    study.

    A unique record that matches an included study is not removed here: whether it is screened
    again is screening's decision (not when nobody decided it: `previously_included`; yes when
    reviewers did, e.g. the record through which a later window's study was included)."""
    p = result.prepared
    found = sorted({w for w, s in zip(p.windows, p.studies, strict=True) if not s})
    windows = list(windows) or found
    stats = {
        w: {"records": 0, "within": 0, "earlier": 0, "matching": 0, "uncertain": 0} for w in windows
    }
    for group in result.clusters:
        members = [i for i in group if not p.studies[i]]
        if not members:
            continue
        has_study = any(p.studies[i] for i in group)
        first_window = p.windows[members[0]]
        for position, i in enumerate(members):
            window = p.windows[i]
            stats[window]["records"] += 1
            if position == 0:
                stats[window]["matching"] += has_study
            elif window == first_window:
                stats[window]["within"] += 1
            else:
                stats[window]["earlier"] += 1
    for v in result.uncertain:
        stats[p.windows[v.j]]["uncertain"] += 1 if p.windows[v.j] in stats else 0
    entries = [first_version_counts(first_version)]
    for window in windows:
        s = stats[window]
        removed = s["within"] + s["earlier"]
        entries.append(
            {
                "window": window,
                "reported": False,
                "records": s["records"],
                "duplicates_removed": removed,
                "duplicates_removed_within_window": s["within"],
                "duplicates_removed_of_earlier_records": s["earlier"],
                "unique_records": s["records"] - removed,
                "unique_records_matching_included_studies": s["matching"],
                "uncertain_pairs": s["uncertain"],
            }
        )
    return {"windows": entries}


@dataclass
class StageOutputs:
    unique_records: pd.DataFrame
    duplicates: pd.DataFrame
    uncertain_pairs: pd.DataFrame
    counts: dict
    related_versions: pd.DataFrame


def search_windows(search_counts: dict, source: str = "search_counts.json") -> list[str]:
    """The stored windows of search_counts.json, in its order (v1, the reported one, left out)."""
    windows = search_counts.get("windows") if isinstance(search_counts, dict) else None
    if not isinstance(windows, list):
        raise InputProblems(source, ["'windows' must be a list of search windows, v1 first"])
    return [w["window"] for w in windows if isinstance(w, dict) and w.get("window") != "v1"]


def run_stage(
    records: pd.DataFrame,
    studies: pd.DataFrame,
    decisions_path: str | Path,
    first_version: dict,
    rules: Rules | None = None,
    *,
    windows: Sequence[str] = (),
    records_source: str = "records.tsv",
) -> StageOutputs:
    """The dedup stage of the workflow, from its inputs to its outputs (nothing written).
    `windows`: the search windows (search_counts.json), oldest first; every record must be in
    one of them."""
    rules = rules or load_rules()
    if windows:
        unknown = sorted(set(records["window"]) - set(windows))
        raise_if_any(
            records_source,
            [
                f"window {w!r} of {int((records['window'] == w).sum())} records is not a search "
                f"window of search_counts.json ({', '.join(windows)})"
                for w in unknown
            ],
        )
    both = pd.concat([records, studies], ignore_index=True).fillna("")
    known = set(records["record_id"]) | set(studies["record_id"])
    same, different = read_decisions(decisions_path, known)
    try:
        result = deduplicate(
            both, rules=rules, same=same, different=different, window_order=windows
        )
    except ContradictingDecisions as error:
        raise InputProblems(str(decisions_path), [contradiction(decisions_path, error)]) from None
    except ValueError as error:
        raise InputProblems(str(decisions_path), [str(error)]) from error
    return StageOutputs(
        unique_records=unique_records(records, result),
        duplicates=duplicates(records, result, rules),
        uncertain_pairs=uncertain_pairs(both, result, rules),
        counts=window_counts(result, first_version, windows),
        related_versions=related_versions(both, result, rules),
    )


def groups_table(result: Result) -> pd.DataFrame:
    """GROUPS.csv of the command line: one row per duplicate group, `merged_ids` ';'-joined."""
    return pd.DataFrame({"merged_ids": [";".join(g) for g in duplicate_groups(result)]})


def dedup_file(
    records_path: str | Path,
    out_path: str | Path,
    *,
    uncertain_path: str | Path | None = None,
    decisions_path: str | Path | None = None,
) -> Result:
    """`reviewflow dedup RECORDS.csv --out GROUPS.csv`: read, deduplicate, write the groups
    (and the uncertain pairs when asked)."""
    records = read_records(records_path)
    same, different = ([], [])
    if decisions_path:
        same, different = read_decisions(decisions_path, set(records["record_id"]))
    rules = load_rules()
    try:
        result = deduplicate(records, rules=rules, same=same, different=different)
    except ContradictingDecisions as error:
        raise InputProblems(str(decisions_path), [contradiction(decisions_path, error)]) from None
    except ValueError as error:
        raise InputProblems(str(decisions_path), [str(error)]) from error
    uncertain = uncertain_pairs(records, result, rules) if uncertain_path else None
    result.encoding = records.attrs.get("encoding", "")
    write_table(groups_table(result), out_path)
    if uncertain is not None:
        write_table(uncertain, uncertain_path)
    return result
